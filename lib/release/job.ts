import { defineJob } from '../core/define-job.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import type { AppRunnerEvent } from '../events/app-runner.ts';
import { appRunnerTrigger } from '../events/parse-trigger.ts';
import { createFailureReporter, subjectOfEvent } from '../report-failure.ts';
import { type RecordReleasePorts, recordRelease } from './record-release.ts';

/** What the record-release job runs with (built once per container by its function file). */
export interface RecordReleaseJobDeps {
  /** The guard's targets: events from elsewhere are rejected. */
  targets: TargetCheck;
  ports: RecordReleasePorts;
  settings: { historyLimit: number };
}

/** Record-release: a successful deployment → a known-good release in the ledger (docs/architecture.md). */
export const recordReleaseJob = defineJob<AppRunnerEvent, RecordReleaseJobDeps>({
  job: 'record-release',
  parse: (raw, deps) => appRunnerTrigger(deps.targets)(raw),
  run: async (event, deps, ctx) =>
    event.kind === 'operation'
      ? recordRelease(event, deps.ports, deps.settings, ctx)
      : { outcome: 'skipped', reason: 'A service status change is not a successful deployment.' },
  reportFailure: (event, error, deps) =>
    createFailureReporter(deps.ports.publisher, 'record-release', false, subjectOfEvent)(event, error),
});

/** Builds the record-release Lambda handler from its dependencies. */
export const createHandler = recordReleaseJob.createHandler;
