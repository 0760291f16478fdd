import { parseScheduleExpression, previousFireTime } from '../schedule/cron.ts';
import { localDate, toWallTime } from '../schedule/time-zone.ts';
import { type ScheduleSpec, WEEKDAYS } from './schedule-spec.ts';

/** What a schedule wants of its services at one instant, and why (one human sentence). */
export interface DesiredState {
  state: 'running' | 'paused' | 'unknown';
  reason: string;
  /** The schedule fire that decided it, when one did. */
  since?: Date;
}

/** Why a calendar day (in the schedule's zone) is an off day, or `undefined` for a working day. */
export function offDayReason(spec: ScheduleSpec, at: Date): string | undefined {
  const date = localDate(at, spec.timezone);
  if (spec.skipDates.includes(date)) return `${date} is a skip date in ${spec.timezone}`;
  if (spec.weekdays) {
    const day = WEEKDAYS[toWallTime(at, spec.timezone).weekday]!;
    if (!spec.weekdays.includes(day)) {
      return `${day} ${date} is not one of the schedule's weekdays (${spec.weekdays.join(', ')}) in ${spec.timezone}`;
    }
  }
  return undefined;
}

const MAX_SKIPPED_RESUMES = 1000;

/**
 * The desired state of a schedule's services at `at` — evaluated in the schedule's own zone:
 *
 * 1. on a skip date or a day outside `weekdays` (the zone's calendar day of `at`): paused;
 * 2. otherwise whichever fired last at or before `at`: the pause cron, or a resume cron fire that
 *    fell on a working day (a resume on an off day never happened, so an earlier pause still
 *    holds). A pause and a resume at the same instant: paused;
 * 3. neither has ever fired: unknown (the caller leaves services alone).
 *
 * DST follows {@link previousFireTime}: skipped wall times never fire, repeated ones fire once.
 * Pure: the caller passes the scheduled time, never the wall clock.
 */
export function desiredStateAt(spec: ScheduleSpec, at: Date): DesiredState {
  const off = offDayReason(spec, at);
  if (off) return { state: 'paused', reason: `${off}: services stay paused all day` };

  const pause = parseScheduleExpression(spec.pause);
  const resume = parseScheduleExpression(spec.resume);
  const lastPause = previousFireTime(pause, spec.timezone, at);
  let cursor = at;
  for (let i = 0; i < MAX_SKIPPED_RESUMES; i++) {
    const lastResume = previousFireTime(resume, spec.timezone, cursor);
    if (!lastResume || (lastPause && lastResume.getTime() <= lastPause.getTime())) break;
    if (offDayReason(spec, lastResume) === undefined) {
      return {
        state: 'running',
        reason: `last fire was resume at ${formatLocal(lastResume, spec.timezone)} (${spec.resume})`,
        since: lastResume,
      };
    }
    cursor = new Date(lastResume.getTime() - 1);
  }
  if (lastPause) {
    return {
      state: 'paused',
      reason: `last fire was pause at ${formatLocal(lastPause, spec.timezone)} (${spec.pause})`,
      since: lastPause,
    };
  }
  return { state: 'unknown', reason: 'neither the pause nor the resume time has occurred yet' };
}

/** `2025-01-06 20:00 Europe/Berlin` — how people in the zone read the instant. */
export function formatLocal(at: Date, timeZone: string): string {
  const w = toWallTime(at, timeZone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${localDate(at, timeZone)} ${p(w.hour)}:${p(w.minute)} ${timeZone}`;
}
