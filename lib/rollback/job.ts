import { defineJob } from '../core/define-job.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import type { AppRunnerEvent } from '../events/app-runner.ts';
import { appRunnerTrigger } from '../events/parse-trigger.ts';
import {
  createRollbackFailureReporter,
  handleFailureEvent,
  type RollbackPorts,
  type RollbackSettings,
} from './rollback.ts';

/** What the rollback job runs with (built once per container by its function file). */
export interface RollbackJobDeps {
  /** The guard's targets: events from elsewhere are rejected. */
  targets: TargetCheck;
  ports: RollbackPorts;
  settings: RollbackSettings;
}

/** Rollback: a failed deployment or update → pin the newest known-good digest (docs/architecture.md). */
export const rollbackJob = defineJob<AppRunnerEvent, RollbackJobDeps>({
  job: 'rollback',
  parse: (raw, deps) => appRunnerTrigger(deps.targets)(raw),
  run: async (event, deps) =>
    event.kind === 'operation'
      ? handleFailureEvent(event, deps.ports, deps.settings)
      : {
          outcome: 'skipped',
          reason: 'A service status change is not a failed deployment: nothing to roll back.',
        },
  reportFailure: (event, error, deps) =>
    createRollbackFailureReporter(deps.ports.publisher, deps.settings.dryRun)(event, error),
});

/** Builds the rollback Lambda handler from its dependencies. */
export const createHandler = rollbackJob.createHandler;
