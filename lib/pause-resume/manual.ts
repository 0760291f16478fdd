import type { WakeUpRequest } from '../core/ports/wake-ups.ts';
import { nextFireTime } from '../schedule/cron.ts';
import { parseOverrideUntil, parsePausedBy, TAGS } from '../tags.ts';
import { desiredStateAt, formatLocal } from './desired-state.ts';
import { overrideEndWake } from './override-end.ts';
import type { ObservedService } from './plan.ts';
import { type ScheduleDefinition, specOf } from './schedule-config.ts';

/** One call the manual command makes, in order. */
export type ManualStep =
  | { call: 'tag'; tags: Record<string, string> }
  | { call: 'untag'; keys: string[] }
  | { call: 'pause' }
  | { call: 'resume' };

/** What `guard pause|resume <service>` will do: refuse (with why), nothing, or steps with warnings. */
export interface ManualPlan {
  verdict: 'act' | 'nothing' | 'refuse';
  message: string;
  warnings: string[];
  steps: ManualStep[];
  /**
   * After the steps: wake the guard at the override's end (`--until`), when the schedule wants the
   * service paused then, so it is paused within minutes of the end (docs/architecture.md, "Time").
   */
  wake?: WakeUpRequest;
  /** What the wake-up is for, in one sentence (printed by the CLI). */
  wakeNote?: string;
}

/**
 * Plans a manual pause or resume with the same safety checks as the schedules (pure):
 * - only a RUNNING service is paused, only a PAUSED one resumed; OPERATION_IN_PROGRESS and
 *   failed statuses are refused with the reason;
 * - a manual pause writes no paused-by marker: it is a human's pause, and no schedule will resume
 *   it (resume it with `guard resume`);
 * - a manual resume of a service the guard did not pause is allowed — a human explicitly asked —
 *   with a warning; the guard's marker, when present, is removed;
 * - when the service's schedule wants it paused right now, resume warns that the next pause fire
 *   will pause it again, unless `until` sets `apprunner-guard:override-until` first.
 */
export function planManual(
  action: 'pause' | 'resume',
  service: ObservedService,
  schedules: readonly ScheduleDefinition[],
  now: Date,
  options: { until?: Date } = {},
): ManualPlan {
  const warnings: string[] = [];
  const lastAction = { [TAGS.lastAction]: `${action} by hand (guard CLI)@${now.toISOString()}` };
  const scheduleName = service.tags[TAGS.schedule]?.trim();
  const schedule = schedules.find((s) => s.name === scheduleName);
  const override = parseOverrideUntil(service.tags[TAGS.overrideUntil]);
  const overridden = override instanceof Date && override.getTime() > now.getTime();

  const refuse = (message: string): ManualPlan => ({ verdict: 'refuse', message, warnings, steps: [] });
  if (service.status === 'OPERATION_IN_PROGRESS') {
    return refuse(
      `${service.name} has an operation in progress; App Runner refuses to ${action} it until it ends. Try again shortly.`,
    );
  }

  if (action === 'pause') {
    if (service.status === 'PAUSED')
      return { verdict: 'nothing', message: `${service.name} is already paused`, warnings, steps: [] };
    if (service.status !== 'RUNNING')
      return refuse(`${service.name} is ${service.status}: only a RUNNING service can be paused`);
    if (options.until) warnings.push('--until applies to resume only; ignored');
    if (schedule) {
      warnings.push(
        `${service.name} follows schedule ${schedule.name}; a pause by hand carries no ${TAGS.pausedBy} marker, so the schedule will NOT resume it — run "guard resume ${service.name}" when you want it back`,
      );
    }
    return {
      verdict: 'act',
      message: `pause ${service.name}`,
      warnings,
      steps: [{ call: 'tag', tags: lastAction }, { call: 'pause' }],
    };
  }

  if (options.until && options.until.getTime() <= now.getTime())
    return refuse(`--until ${options.until.toISOString()} is not in the future`);
  const wake = options.until ? wakeAtEnd(service, schedule, scheduleName, options.until, now, warnings) : {};
  if (service.status === 'RUNNING' && options.until) {
    // Resumed by hand earlier (console, or `guard resume` without --until): the override is what
    // keeps it up now, and the guard wakes at its end.
    return {
      verdict: 'act',
      message: `keep ${service.name} running until ${options.until.toISOString()}`,
      warnings,
      steps: [{ call: 'tag', tags: { [TAGS.overrideUntil]: options.until.toISOString(), ...lastAction } }],
      ...wake,
    };
  }
  if (service.status === 'RUNNING')
    return { verdict: 'nothing', message: `${service.name} is already running`, warnings, steps: [] };
  if (service.status !== 'PAUSED')
    return refuse(`${service.name} is ${service.status}: only a PAUSED service can be resumed`);
  const marker = parsePausedBy(service.tags[TAGS.pausedBy]);
  if (!marker) {
    warnings.push(
      `${service.name} was not paused by the guard (no ${TAGS.pausedBy} marker; paused by hand?) — resuming because you asked`,
    );
  }
  const steps: ManualStep[] = [];
  if (options.until) {
    steps.push({ call: 'tag', tags: { [TAGS.overrideUntil]: options.until.toISOString() } });
  } else if (schedule && !overridden && desiredStateAt(schedule, now).state === 'paused') {
    const next = nextFireTime(schedule.pause, schedule.timezone, now);
    warnings.push(
      `schedule ${schedule.name} wants ${service.name} paused now (${desiredStateAt(schedule, now).reason}); it will pause it again at ${next ? formatLocal(next, schedule.timezone) : 'its next pause'} — add --until <time> to keep it running until then`,
    );
  }
  steps.push({ call: 'resume' });
  if (marker) steps.push({ call: 'untag', keys: [TAGS.pausedBy] });
  steps.push({ call: 'tag', tags: lastAction });
  return { verdict: 'act', message: `resume ${service.name}`, warnings, steps, ...wake };
}

/** The wake-up at the end of a `--until` override, or a warning saying why there is none. */
function wakeAtEnd(
  service: ObservedService,
  schedule: ScheduleDefinition | undefined,
  scheduleName: string | undefined,
  until: Date,
  now: Date,
  warnings: string[],
): Pick<ManualPlan, 'wake' | 'wakeNote'> {
  if (!scheduleName) return {};
  if (!schedule) {
    warnings.push(
      `${service.name} follows schedule ${scheduleName}, which is not in the schedule file: the guard cannot tell whether to pause it when the override ends, so nothing wakes it then (the schedule's next fire applies)`,
    );
    return {};
  }
  const wake = overrideEndWake({
    service: { arn: service.arn, name: service.name },
    schedule: schedule.name,
    definition: specOf(schedule),
    until,
    now,
  });
  if (!wake) return {};
  return {
    wake,
    wakeNote: `schedule ${schedule.name} wants ${service.name} paused at ${formatLocal(until, schedule.timezone)}: the guard wakes then and pauses it`,
  };
}
