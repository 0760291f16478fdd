import { createHash } from 'node:crypto';
import { SCHEDULED_TIME, type WakeUpRequest } from '../core/ports/wake-ups.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import type { PauseResumePayload } from '../events/scheduler.ts';
import { desiredStateAt, formatLocal } from './desired-state.ts';
import type { ScheduleSpec } from './schedule-spec.ts';

/** An override the guard has seen (or set): which service, which schedule, until when. */
export interface OverrideSeen {
  service: { arn: string; name: string };
  schedule: string;
  definition: ScheduleSpec;
  until: Date;
  /** The trigger's time (the run's scheduled time, or the CLI's now). */
  now: Date;
}

/**
 * The wake-up at an override's end (docs/architecture.md, "Time"): when the schedule will want
 * the service paused at that moment, a one-time `converge` of that one service at the end, so it
 * is paused then and not at the next evening's pause fire. `undefined` when there is nothing to
 * wake for: the override has ended already (the run sees it expired) or the schedule wants the
 * service running at its end (the next pause fire applies as usual).
 *
 * The key is the service and the end, so every run that sees the same override asks for the same
 * schedule (created once); a changed end is a new wake-up, and the old one finds nothing to do.
 */
export function overrideEndWake(seen: OverrideSeen): WakeUpRequest | undefined {
  const { service, schedule, definition, until, now } = seen;
  if (until.getTime() <= now.getTime()) return undefined;
  const desired = desiredStateAt(definition, until);
  if (desired.state !== 'paused') return undefined;
  const id =
    parseServiceArn(service.arn)?.id ?? createHash('sha256').update(service.arn).digest('hex').slice(0, 32);
  const payload: PauseResumePayload = {
    action: 'converge',
    schedule,
    scheduledTime: SCHEDULED_TIME,
    services: [service.arn],
    definition,
  };
  return {
    job: 'pause-resume',
    at: until,
    now,
    key: `override-end.${id}.${until.toISOString().replace(/[-:]|\.\d+/g, '')}`,
    payload,
    description: `apprunner-guard: ${service.name}'s override ends at ${formatLocal(until, definition.timezone)}; schedule ${schedule} wants it paused then (${desired.reason})`,
  };
}
