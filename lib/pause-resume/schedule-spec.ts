import { parseScheduleExpression, ScheduleExpressionError } from '../schedule/cron.ts';
import { isValidTimeZone } from '../schedule/time-zone.ts';
import * as z from '../zod.ts';

/** Day names as EventBridge cron writes them; index = JavaScript's `getDay()`. */
export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Schedule names: they appear in the `apprunner-guard:schedule` tag, the paused-by marker and
 * the Scheduler payload, and they name the deployed Scheduler schedules (`<name>-resume`,
 * `<name>-notice`): at most 57 characters, so those stay within Scheduler's 64.
 */
export const SCHEDULE_NAME = /^[A-Za-z0-9_.-]{1,57}$/;

/** Scheduler's limit on a target's `Input`. */
export const MAX_INPUT_CHARS = 8192;

const cronOnly = (field: 'pause' | 'resume') =>
  z.string().check(
    z.superRefine((value, ctx) => {
      try {
        const e = parseScheduleExpression(value);
        if (e.kind !== 'cron') {
          ctx.addIssue({
            code: 'custom',
            message: `must be a cron(...) expression (a ${e.kind}() schedule has no wall-clock time to ${field} at)`,
          });
        }
      } catch (error) {
        if (!(error instanceof ScheduleExpressionError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    }),
  );

const isoDate = z.string().check(
  z.refine((s) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
  }, 'must be a calendar date yyyy-mm-dd'),
);

/**
 * What a schedule means — everything needed to decide a service's desired state at any time.
 * It travels inside every Scheduler payload, so the handler needs no configuration file at run
 * time and sandbox scenarios declare schedules in the same format.
 */
export const scheduleSpecSchema = z.object({
  /** IANA time zone in which the crons, skip dates and weekdays are read. */
  timezone: z.string().check(z.refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin')),
  /** When opted-in services are paused: an EventBridge `cron(...)` in the zone. */
  pause: cronOnly('pause'),
  /** When the services the guard paused are resumed: a `cron(...)` in the zone. */
  resume: cronOnly('resume'),
  /** Calendar dates (in the zone) on which services stay paused all day: holidays. */
  skipDates: z._default(z.array(isoDate).check(z.maxLength(1000)), []),
  /** Days (in the zone) on which services may run; on other days they stay paused. Default: every day. */
  weekdays: z.optional(
    z
      .array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }))
      .check(z.minLength(1, 'must name at least one day (omit it for every day)'), z.maxLength(7)),
  ),
});
export type ScheduleSpec = z.output<typeof scheduleSpecSchema>;
export type ScheduleSpecInput = z.input<typeof scheduleSpecSchema>;
