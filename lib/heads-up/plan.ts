/**
 * The heads-up before a schedule pauses services (docs/architecture.md, "Heads-up"), pure: when
 * the next pause fire of a schedule is within the lead time, which of its services that pause
 * would stop — the pause-resume planner's own decision at the pause time, so the list is what
 * the run will do, overrides and markers included.
 */
import { desiredStateAt, formatLocal } from '../pause-resume/desired-state.ts';
import { type ObservedService, planService } from '../pause-resume/plan.ts';
import type { ScheduleSpec } from '../pause-resume/schedule-spec.ts';
import { nextFireTime, parseScheduleExpression } from '../schedule/cron.ts';

/** How often the fallback heads-up schedule polls (minutes): a fire falls once in each window. */
export const HEADS_UP_WINDOW_MINUTES = 5;

/** One service the coming pause will stop. */
export interface HeadsUpService {
  name: string;
  arn: string;
}

/** The heads-up plan: announce the coming pause, or why not. */
export type HeadsUpPlan =
  | { action: 'none'; reason: string }
  | {
      action: 'announce';
      pauseAt: Date;
      /** The schedule's next resume after the pause: what *Keep running until…* offers. */
      keepRunningUntil: Date | undefined;
      services: HeadsUpService[];
      reason: string;
    };

/**
 * Plans the heads-up of `schedule` at `at`: the next pause fire `P` after `at` must be at most
 * `leadMinutes` away and more than `leadMinutes − windowMinutes` (so one fire of a schedule that
 * polls every window announces it once); the services announced are those the pause-resume planner
 * would pause at `P`. Nothing to pause is "nothing to do".
 */
export function planHeadsUp(
  spec: ScheduleSpec,
  schedule: string,
  at: Date,
  leadMinutes: number,
  services: readonly ObservedService[],
  windowMinutes = HEADS_UP_WINDOW_MINUTES,
): HeadsUpPlan {
  const pauseAt = nextFireTime(spec.pause, spec.timezone, new Date(at.getTime() - 1));
  if (!pauseAt) return { action: 'none', reason: `schedule ${schedule} never pauses again` };
  const minutes = (pauseAt.getTime() - at.getTime()) / 60_000;
  const when = formatLocal(pauseAt, spec.timezone);
  if (minutes > leadMinutes || minutes <= leadMinutes - windowMinutes) {
    return {
      action: 'none',
      reason: `the next pause of ${schedule} (${when}) is not ${leadMinutes} minutes away; nothing to announce`,
    };
  }
  const desired = desiredStateAt(spec, pauseAt);
  const paused = services.filter(
    (s) => planService(s, desired, { schedule, at: pauseAt, trigger: 'pause' }).action === 'pause',
  );
  if (paused.length === 0) {
    return {
      action: 'none',
      reason: `schedule ${schedule} pauses at ${when}, and no running service of it would be paused; nothing to announce`,
    };
  }
  const keepRunningUntil = nextFireTime(parseScheduleExpression(spec.resume), spec.timezone, pauseAt);
  return {
    action: 'announce',
    pauseAt,
    keepRunningUntil,
    services: paused.map((s) => ({ name: s.name, arn: s.arn })),
    reason: `Schedule ${schedule} pauses ${paused.length} service${paused.length === 1 ? '' : 's'} at ${when} (in ${Math.round(minutes)} minutes): ${paused
      .slice(0, 20)
      .map((s) => s.name)
      .join(
        ', ',
      )}${paused.length > 20 ? ` and ${paused.length - 20} more` : ''}. Press Keep running until… on a service to keep it running${keepRunningUntil ? ` until the next resume (${formatLocal(keepRunningUntil, spec.timezone)})` : ''}.`,
  };
}

/**
 * The Scheduler expression of a schedule's heads-up: its pause cron moved `leadMinutes` earlier
 * when its minute and hour are plain numbers and the move stays on the same day; otherwise a
 * poll every {@link HEADS_UP_WINDOW_MINUTES} minutes (the planner announces each pause once).
 */
export function headsUpExpression(pause: string, leadMinutes: number): string {
  const m = /^cron\((\d{1,2}) (\d{1,2}) (\S+ \S+ \S+ \S+)\)$/.exec(pause.trim());
  if (m) {
    const total = Number(m[2]) * 60 + Number(m[1]) - leadMinutes;
    if (total >= 0) return `cron(${total % 60} ${Math.floor(total / 60)} ${m[3]})`;
  }
  return `cron(0/${HEADS_UP_WINDOW_MINUTES} * * * ? *)`;
}
