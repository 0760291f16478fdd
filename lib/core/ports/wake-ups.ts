/**
 * "Wake me at a time" (docs/architecture.md, "Time"): a one-time EventBridge Scheduler schedule
 * that invokes a job's function with a payload at a wall-clock moment — an override's end, a
 * deletion time, a storm window's end, or the next attempt of a Scheduler-invoked job that asked
 * to retry after a delay. Never in the past (at least {@link MIN_WAKE_AHEAD_SECONDS} ahead), deleted
 * after it runs, named deterministically so asking twice is one schedule.
 */
import { createHash } from 'node:crypto';
import type { Job } from '../guard-event.ts';
import { SECOND_MS } from '../time.ts';

/**
 * How far ahead a wake-up is at least. A moment computed from a late event can be in the past or
 * too close for Scheduler to honour; a minute ahead is always accepted and runs.
 */
export const MIN_WAKE_AHEAD_SECONDS = 60;

/** What Scheduler replaces with the time a schedule was due, anywhere in a payload. */
export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/** A wake-up a job asks for. */
export interface WakeUpRequest {
  /** The job whose function is invoked (its target is configured once, in the adapter). */
  job: Job;
  /** When to wake; moved to {@link MIN_WAKE_AHEAD_SECONDS} from now when earlier. */
  at: Date;
  /**
   * What the function receives. `"<aws.scheduler.scheduled-time>"` anywhere in it is filled in by
   * Scheduler with the time the schedule was due.
   */
  payload: Record<string, unknown>;
  /**
   * What this wake-up is for, within the job (a service id + purpose, a storm key…): the schedule's
   * name is made from job + key, so a second request with the same key is the same schedule.
   */
  key: string;
  /**
   * The requester's now (its trigger's time). The time is clamped against the later of this and
   * the adapter's clock, so a wake-up computed from a late event is never in the past.
   */
  now?: Date;
  /** Shown on the schedule (cut to 512 characters). */
  description?: string;
}

/** What became of a wake-up request. */
export interface WakeUp {
  /** The schedule's name ({@link wakeUpName}). */
  name: string;
  /** When it fires (after clamping). */
  at: Date;
  /** False when a schedule of that name already existed: a duplicate request, nothing changed. */
  created: boolean;
  /** True when the requested time was earlier than a minute from now and was moved. */
  clamped: boolean;
}

/** Port: one-time wake-ups in the guard's schedule group (implemented in `lib/aws/scheduler.ts`). */
export interface WakeUps {
  wakeAt(request: WakeUpRequest): Promise<WakeUp>;
}

const NAME_CHARS = /^[0-9A-Za-z_.-]+$/;
const MAX_NAME = 64;

/**
 * The schedule name of a wake-up: `<job>-<key>` when the key is made of Scheduler's name characters
 * and short enough; otherwise a readable prefix of the key plus a hash of the whole key, so two
 * different keys never share a name and the same key always gives the same one.
 */
export function wakeUpName(job: Job, key: string): string {
  const plain = `${job}-${key}`;
  if (plain.length <= MAX_NAME && NAME_CHARS.test(key)) return plain;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  const readable = key.replace(/[^0-9A-Za-z_.-]+/g, '-');
  const room = MAX_NAME - job.length - hash.length - 2;
  return `${job}-${readable.slice(0, room)}-${hash}`;
}

/** When a wake-up requested for `at` fires, seen at `now`: never earlier than a minute ahead. */
export function clampWakeTime(at: Date, now: Date): { at: Date; clamped: boolean } {
  const earliest = now.getTime() + MIN_WAKE_AHEAD_SECONDS * SECOND_MS;
  if (at.getTime() >= earliest) return { at, clamped: false };
  // Whole seconds: Scheduler's at() has second precision; round up so it stays ≥ a minute ahead.
  return { at: new Date(Math.ceil(earliest / SECOND_MS) * SECOND_MS), clamped: true };
}
