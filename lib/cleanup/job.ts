import { defineJob } from '../core/define-job.ts';
import type { Parsed } from '../core/handler-stack.ts';
import { HOUR_SECONDS } from '../core/time.ts';
import {
  APP_RUNNER_SOURCE,
  type AppRunnerEvent,
  parseAppRunnerEvent,
  parseServiceArn,
} from '../events/app-runner.ts';
import {
  againOf,
  type CleanupPayload,
  cleanupPayloadSchema,
  parseSchedulerPayload,
} from '../events/scheduler.ts';
import { createFailureReporter, type FailureSubject } from '../report-failure.ts';
import type { CleanupDeps } from './deps.ts';
import { runCleanup } from './run-cleanup.ts';

type CleanupInput = AppRunnerEvent | CleanupPayload;

/** What a terminal failure is about, for the `Cleanup Failed` alert. */
function subjectOf(input: CleanupInput): FailureSubject {
  if ('eventId' in input) return { service: input.service, trigger: input.eventId };
  const trigger = `${input.action}@${input.scheduledTime}`;
  const service = input.action === 'delete-failed-service' ? parseServiceArn(input.serviceArn) : undefined;
  return service ? { service, trigger } : { trigger };
}

/**
 * Cleanup: a failed service (event, deletion schedule or sweep) → snapshot, schedule its deletion,
 * delete it (docs/architecture.md).
 */
export const cleanupJob = defineJob<CleanupInput, CleanupDeps>({
  job: 'cleanup',
  // A deletion that cannot run for 6 hours is handed to a human (the same bound as its queue's).
  maxWaitSeconds: 6 * HOUR_SECONDS,
  parse: (raw, deps): Parsed<CleanupInput> => {
    if ((raw as { source?: unknown } | null)?.source === APP_RUNNER_SOURCE) {
      const event = parseAppRunnerEvent(raw, { targets: deps.targets });
      return { key: event.eventId, input: event, logKeys: { serviceArn: event.service.arn } };
    }
    const payload = parseSchedulerPayload(cleanupPayloadSchema, raw);
    const target = payload.action === 'sweep' ? 'sweep' : payload.serviceArn;
    return {
      key: `${payload.action}#${target}#${payload.scheduledTime}`,
      input: payload,
      again: againOf(raw, payload),
      logKeys: payload.action === 'sweep' ? { action: 'sweep' } : { serviceArn: payload.serviceArn },
    };
  },
  run: (input, deps, ctx) => runCleanup(input, deps, ctx),
  reportFailure: (input, error, deps) =>
    createFailureReporter(deps.publisher, 'cleanup', deps.settings.dryRun, subjectOf)(input, error),
});

/** Builds the cleanup Lambda handler from its dependencies. */
export const createHandler = cleanupJob.createHandler;
