import { parseOverrideUntil, parsePausedBy, TAGS, type Tags } from '../tags.ts';
import type { DesiredState } from './desired-state.ts';

/** A service as the planner sees it: live status and tags. */
export interface ObservedService {
  arn: string;
  name: string;
  /** App Runner status (`RUNNING`, `PAUSED`, `OPERATION_IN_PROGRESS`, `CREATE_FAILED`, …). */
  status: string;
  tags: Tags;
}

/** What to do to one service. */
export type ServiceAction =
  /** Tag the paused-by marker, then PauseService. */
  | 'pause'
  /** ResumeService, then remove the marker. */
  | 'resume'
  /** Running with a stale marker of this schedule (resumed by hand, or a crash after resume). */
  | 'clear-marker'
  /** Busy: look again after `retryMinutes`. */
  | 'retry'
  | 'none';

/** The plan for one service: action, the outcome it stands for, and one sentence why. */
export interface ServiceDecision {
  arn: string;
  name: string;
  status: string;
  action: ServiceAction;
  outcome: 'acted' | 'noop' | 'skipped' | 'deferred';
  reason: string;
  /** Problems with the service's tags worth telling a human (invalid or expired override). */
  notes: string[];
  /** Set when an override (`apprunner-guard:override-until`) later than the run left it alone: its end. */
  overrideUntil?: Date;
}

/** True when the service follows `schedule` (tag `apprunner-guard:schedule`, exact after trimming). */
export function followsSchedule(tags: Tags, schedule: string): boolean {
  return tags[TAGS.schedule]?.trim() === schedule;
}

/**
 * Plans one service of `schedule` for a run at `at` (pure). Rules, in order:
 * - an override (`apprunner-guard:override-until`) later than `at` → leave alone; an expired or
 *   unparseable one is ignored and noted;
 * - desired paused: RUNNING → pause, except on a run fired by the *resume* cron (an off day's
 *   morning): a service running then was resumed by a human after last night's pause, and a resume
 *   fire must never undo that (the next pause fire still applies); PAUSED → nothing;
 *   OPERATION_IN_PROGRESS → retry later; anything else (CREATE_FAILED, DELETED…) → skipped;
 * - desired running: PAUSED with this schedule's paused-by marker → resume; PAUSED without it
 *   (paused by hand, or by another schedule) → stays paused; RUNNING → nothing (clearing a stale
 *   marker); OPERATION_IN_PROGRESS with our marker → retry later (it may come back paused);
 *   anything else → skipped;
 * - desired unknown (the schedule has never fired) → nothing.
 */
export function planService(
  service: ObservedService,
  desired: DesiredState,
  run: { schedule: string; at: Date; trigger?: 'pause' | 'resume' | 'converge' },
): ServiceDecision {
  const base = { arn: service.arn, name: service.name, status: service.status };
  const notes: string[] = [];
  const decide = (
    action: ServiceAction,
    outcome: ServiceDecision['outcome'],
    reason: string,
  ): ServiceDecision => ({
    ...base,
    action,
    outcome,
    reason: notes.length ? `${reason} (${notes.join('; ')})` : reason,
    notes,
  });

  const rawOverride = service.tags[TAGS.overrideUntil];
  const override = parseOverrideUntil(rawOverride);
  if (override === 'invalid') {
    notes.push(`ignored ${TAGS.overrideUntil}="${rawOverride}": not an ISO-8601 time`);
  } else if (override) {
    if (override.getTime() > run.at.getTime()) {
      return {
        ...decide(
          'none',
          'skipped',
          `override until ${override.toISOString()}: the schedule leaves it ${service.status}`,
        ),
        overrideUntil: override,
      };
    }
    notes.push(`override expired at ${override.toISOString()}`);
  }

  const marker = parsePausedBy(service.tags[TAGS.pausedBy]);
  const ours = marker?.schedule === run.schedule;
  const desiredText = `desired ${desired.state}: ${desired.reason}`;

  if (desired.state === 'unknown') return decide('none', 'noop', desiredText);

  if (desired.state === 'paused') {
    switch (service.status) {
      case 'RUNNING':
        if (run.trigger === 'resume') {
          return decide(
            'none',
            'skipped',
            `running on an off day (resumed by hand?); a resume fire never pauses, the next pause fire will (${desiredText})`,
          );
        }
        return decide('pause', 'acted', `running; ${desiredText}`);
      case 'PAUSED':
        return decide('none', 'noop', `already paused; ${desiredText}`);
      case 'OPERATION_IN_PROGRESS':
        return decide(
          'retry',
          'deferred',
          `an operation is in progress; pause once it ends (${desiredText})`,
        );
      default:
        return decide('none', 'skipped', `status ${service.status}: nothing to pause`);
    }
  }

  switch (service.status) {
    case 'PAUSED':
      if (ours)
        return decide(
          'resume',
          'acted',
          `paused by this schedule at ${marker!.at.toISOString()}; ${desiredText}`,
        );
      if (marker) {
        return decide(
          'none',
          'skipped',
          `paused by schedule "${marker.schedule}", not "${run.schedule}": left paused`,
        );
      }
      return decide(
        'none',
        'skipped',
        `paused without the guard's ${TAGS.pausedBy} marker (by hand?): the guard resumes only what it paused`,
      );
    case 'RUNNING':
      if (ours)
        return decide('clear-marker', 'noop', `already running; removing the stale ${TAGS.pausedBy} marker`);
      return decide('none', 'noop', `already running; ${desiredText}`);
    case 'OPERATION_IN_PROGRESS':
      if (ours)
        return decide(
          'retry',
          'deferred',
          `an operation is in progress; resume once it ends (${desiredText})`,
        );
      return decide(
        'none',
        'noop',
        `an operation is in progress and the guard did not pause it; ${desiredText}`,
      );
    default:
      return decide('none', 'skipped', `status ${service.status}: nothing to resume`);
  }
}
