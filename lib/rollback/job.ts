import { type AlarmRollbackPorts, handleAlarmEvent } from '../bake/alarm.ts';
import { defineJob } from '../core/define-job.ts';
import type { Parsed } from '../core/handler-stack.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import type { AppRunnerEvent } from '../events/app-runner.ts';
import {
  type AlarmStateChangeEvent,
  alarmStateChangeTrigger,
  isCloudWatchEvent,
} from '../events/cloudwatch.ts';
import { appRunnerTrigger } from '../events/parse-trigger.ts';
import { createFailureReporter } from '../report-failure.ts';
import { createRollbackFailureReporter, handleFailureEvent, type RollbackSettings } from './rollback.ts';

/** What the rollback job runs with (built once per container by its function file). */
export interface RollbackJobDeps {
  /** The guard's targets: events from elsewhere are rejected. */
  targets: TargetCheck;
  ports: AlarmRollbackPorts;
  settings: RollbackSettings;
}

type RollbackInput = AppRunnerEvent | AlarmStateChangeEvent;

/**
 * Rollback: a failed deployment or update → pin the newest known-good digest; an alarm in ALARM
 * during a candidate's bake → the same pin, the candidate quarantined (docs/architecture.md).
 */
export const rollbackJob = defineJob<RollbackInput, RollbackJobDeps>({
  job: 'rollback',
  parse: (raw, deps): Parsed<RollbackInput> =>
    isCloudWatchEvent(raw) ? alarmStateChangeTrigger(deps.targets)(raw) : appRunnerTrigger(deps.targets)(raw),
  run: async (event, deps) => {
    if (event.kind === 'alarm') return handleAlarmEvent(event, deps.ports, deps.settings);
    return event.kind === 'operation'
      ? handleFailureEvent(event, deps.ports, deps.settings)
      : {
          outcome: 'skipped',
          reason: 'A service status change is not a failed deployment: nothing to roll back.',
        };
  },
  reportFailure: (event, error, deps) =>
    event.kind === 'alarm'
      ? createFailureReporter(
          deps.ports.publisher,
          'rollback',
          deps.settings.dryRun,
          (e: AlarmStateChangeEvent) => ({
            trigger: e.eventId,
          }),
        )(event, error)
      : createRollbackFailureReporter(deps.ports.publisher, deps.settings.dryRun)(event, error),
});

/** Builds the rollback Lambda handler from its dependencies. */
export const createHandler = rollbackJob.createHandler;
