import { promoteRelease } from '../bake/promote.ts';
import { defineJob } from '../core/define-job.ts';
import type { Parsed } from '../core/handler-stack.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { APP_RUNNER_SOURCE, type AppRunnerEvent, parseServiceArn } from '../events/app-runner.ts';
import { appRunnerTrigger } from '../events/parse-trigger.ts';
import {
  againOf,
  type PromotePayload,
  parseSchedulerPayload,
  promotePayloadSchema,
} from '../events/scheduler.ts';
import { createFailureReporter, type FailureSubject, subjectOfEvent } from '../report-failure.ts';
import { type RecordReleasePorts, type RecordReleaseSettings, recordRelease } from './record-release.ts';

/** What the record-release job runs with (built once per container by its function file). */
export interface RecordReleaseJobDeps {
  /** The guard's targets: events from elsewhere are rejected. */
  targets: TargetCheck;
  ports: RecordReleasePorts;
  settings: RecordReleaseSettings;
}

type RecordReleaseInput = AppRunnerEvent | PromotePayload;

/** What a terminal failure is about, for the `Release Recording Failed` alert. */
function subjectOf(input: RecordReleaseInput): FailureSubject {
  if ('eventId' in input) return subjectOfEvent(input);
  const service = parseServiceArn(input.serviceArn);
  const trigger = `promote@${input.scheduledTime}`;
  return service ? { service, trigger } : { trigger };
}

/**
 * Record-release: a successful deployment → a release in the ledger (known-good, or a candidate
 * that bakes); a bake's end (a wake-up) → the candidate promoted (docs/architecture.md).
 */
export const recordReleaseJob = defineJob<RecordReleaseInput, RecordReleaseJobDeps>({
  job: 'record-release',
  parse: (raw, deps): Parsed<RecordReleaseInput> => {
    if ((raw as { source?: unknown } | null)?.source === APP_RUNNER_SOURCE) {
      return appRunnerTrigger(deps.targets)(raw);
    }
    const payload = parseSchedulerPayload(promotePayloadSchema, raw);
    return {
      key: `promote#${payload.serviceArn}#${payload.bake}#${payload.scheduledTime}`,
      input: payload,
      again: againOf(raw, payload),
      logKeys: { serviceArn: payload.serviceArn, action: 'promote', digest: payload.digest },
    };
  },
  run: async (input, deps, ctx) => {
    if (!('eventId' in input)) return promoteRelease(input, deps.ports);
    return input.kind === 'operation'
      ? recordRelease(input, deps.ports, deps.settings, ctx)
      : { outcome: 'skipped', reason: 'A service status change is not a successful deployment.' };
  },
  reportFailure: (input, error, deps) =>
    createFailureReporter(deps.ports.publisher, 'record-release', false, subjectOf)(input, error),
});

/** Builds the record-release Lambda handler from its dependencies. */
export const createHandler = recordReleaseJob.createHandler;
