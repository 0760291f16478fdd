import { defineJob } from '../core/define-job.ts';
import { GUARD_SOURCE } from '../core/guard-event.ts';
import type { Targets } from '../core/ports/targets.ts';
import { HOUR_SECONDS } from '../core/time.ts';
import { parseAppRunnerEvent } from '../events/app-runner.ts';
import { parseGuardEvent } from '../events/guard.ts';
import {
  againOf,
  type NotifyPayload,
  notifyPayloadSchema,
  parseSchedulerPayload,
} from '../events/scheduler.ts';
import type { NotifyInput } from './alert.ts';
import { type NotifyDeps, notify } from './notify.ts';
import { createNotifyFailureReporter } from './report-failure.ts';

/** What the notify job runs with (built once per container by its function file). */
export interface NotifyJobDeps {
  /** The guard's targets (App Runner failures from elsewhere are rejected); its own events come from the hub. */
  targets: Targets;
  notify: NotifyDeps;
}

/** Notify: App Runner failures and the guard's own events → SNS and Slack (docs/architecture.md). */
export const notifyJob = defineJob<NotifyInput | NotifyPayload, NotifyJobDeps>({
  job: 'notify',
  // An alert is worth delivering after an outage of hours (the same bound as its queue's).
  maxWaitSeconds: 6 * HOUR_SECONDS,
  parse: (raw, deps) => {
    const source = (raw as { source?: unknown } | null)?.source;
    if (source === undefined && typeof raw === 'object' && raw !== null && 'action' in raw) {
      // The storm timer (a Scheduler payload, not an event): one run per scheduled time.
      const payload = parseSchedulerPayload(notifyPayloadSchema, raw);
      return {
        key: `${payload.action}#${payload.scheduledTime}`,
        input: payload,
        again: againOf(raw, payload),
        logKeys: { action: payload.action },
      };
    }
    const input =
      source === GUARD_SOURCE
        ? parseGuardEvent(raw, { accountId: deps.targets.hub.account })
        : parseAppRunnerEvent(raw, { targets: deps.targets });
    const service = input.kind === 'guard' ? input.detail.service?.arn : input.service.arn;
    return { key: input.eventId, input, logKeys: { serviceArn: service, source } };
  },
  run: (input, deps, ctx) => notify(input, deps.notify, ctx),
  // Terminal failures go to SNS directly: a guard event would route back to this function.
  reportFailure: (input, error, deps) => createNotifyFailureReporter(deps.notify.sns)(input, error),
});

/** Builds the notify Lambda handler from its dependencies. */
export const createHandler = notifyJob.createHandler;
