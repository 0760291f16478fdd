import { InvalidEventError } from '../core/errors.ts';
import type { Again } from '../core/handler-stack.ts';
import { scheduleSpecSchema } from '../pause-resume/schedule-spec.ts';
import * as z from '../zod.ts';

/**
 * Payloads EventBridge Scheduler delivers to the guard's functions. Scheduler fills
 * `<aws.scheduler.scheduled-time>` and `<aws.scheduler.schedule-arn>` in the input template, so
 * the scheduled time (not the late arrival time) drives decisions and idempotency.
 */
const scheduledTime = z.iso.datetime({ offset: true });
const scheduleName = z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'not a schedule name'));
const serviceArn = z
  .string()
  .check(
    z.regex(
      /^arn:(aws|aws-cn|aws-us-gov):apprunner:[a-z]{2}(-[a-z]+)+-\d:\d{12}:service\/[A-Za-z0-9][A-Za-z0-9_-]{3,39}\/[0-9a-f]{32}$/,
      'not an App Runner service ARN',
    ),
  );
const scheduleArn = z.optional(z.string().check(z.maxLength(2048)));
const attempt = z.number().check(z.int(), z.gte(0), z.lte(20));
/** Set by the handler stack when it schedules a payload again: when the first attempt was due. */
const firstAttemptAt = z.optional(scheduledTime);

export const pauseResumePayloadSchema = z.object({
  action: z.enum(['pause', 'resume', 'converge']),
  schedule: scheduleName,
  scheduledTime,
  scheduleArn,
  firstAttemptAt,
  /** Set on follow-up attempts for services that were busy. */
  attempt: z.optional(attempt),
  /** Restricts a follow-up run to these services. */
  services: z.optional(z.array(serviceArn).check(z.maxLength(500))),
  /**
   * The schedule itself (zone, pause/resume crons, skip dates, weekdays): the payload is
   * self-contained, so the handler needs no configuration file and desired state is computed
   * from what Scheduler delivered.
   */
  definition: scheduleSpecSchema,
});
export type PauseResumePayload = z.infer<typeof pauseResumePayloadSchema>;

export const cleanupPayloadSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('delete-failed-service'),
    serviceArn,
    scheduledTime,
    attempt: z._default(attempt, 0),
    snapshotKey: z.optional(z.string().check(z.maxLength(512))),
    firstAttemptAt,
  }),
  z.object({ action: z.literal('sweep'), scheduledTime, scheduleArn, firstAttemptAt }),
]);
export type CleanupPayload = z.infer<typeof cleanupPayloadSchema>;

/**
 * The notifier's one-time timer: at a storm window's end (+ a margin), send the storm summaries
 * that are due and were not sent with a later alert (see `lib/notify/storm.ts`).
 */
export const notifyPayloadSchema = z.object({
  action: z.literal('flush-storms'),
  scheduledTime,
  scheduleArn,
  firstAttemptAt,
});
export type NotifyPayload = z.infer<typeof notifyPayloadSchema>;

/**
 * Record-release's wake-up at a bake window's end: promote the candidate `digest` of the service if
 * the bake started by the success event `bake` is still the service's, with no alarm firing.
 */
export const promotePayloadSchema = z.object({
  action: z.literal('promote'),
  serviceArn,
  digest: z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/, 'not a sha256 digest')),
  bake: z.string().check(z.minLength(1), z.maxLength(256)),
  scheduledTime,
  scheduleArn,
  firstAttemptAt,
});
export type PromotePayload = z.infer<typeof promotePayloadSchema>;

/**
 * Record-release's hourly backstop pass over the guard's own bake alarms in every target: those
 * whose service is gone or no longer opted in are deleted (tag change events may never come).
 */
export const retireAlarmsPayloadSchema = z.object({
  action: z.literal('retire-alarms'),
  scheduledTime,
  scheduleArn,
  firstAttemptAt,
});
export type RetireAlarmsPayload = z.infer<typeof retireAlarmsPayloadSchema>;

/** What Scheduler delivers to record-release: a promotion wake-up or the backstop pass. */
export const recordReleasePayloadSchema = z.discriminatedUnion('action', [
  promotePayloadSchema,
  retireAlarmsPayloadSchema,
]);
export type RecordReleasePayload = z.infer<typeof recordReleasePayloadSchema>;

/**
 * How the handler stack invokes a Scheduler payload again (a direct invocation has no queue): the
 * payload as delivered, its scheduled time and, on a later attempt, the first attempt's time.
 */
export function againOf(
  raw: unknown,
  payload: { scheduledTime: string; firstAttemptAt?: string | undefined },
): Again {
  return {
    payload: raw as Record<string, unknown>,
    now: payload.scheduledTime,
    ...(payload.firstAttemptAt ? { firstAttemptAt: payload.firstAttemptAt } : {}),
  };
}

/**
 * Validates a Scheduler payload with the given schema.
 *
 * @throws InvalidEventError naming the offending field.
 */
export function parseSchedulerPayload<T>(schema: z.core.$ZodType<T>, raw: unknown): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidEventError('(payload)', 'is not a JSON object');
  }
  const r = z.safeParse(schema, raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const message =
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    throw new InvalidEventError(issue.path.map(String).join('.') || '(payload)', message);
  }
  return r.data;
}
