import * as z from 'zod';
import { InvalidEventError } from '../errors.ts';
import { scheduleSpecSchema } from '../pause-resume/schedule-spec.ts';

/**
 * Payloads EventBridge Scheduler delivers to the guard's functions. Scheduler fills
 * `<aws.scheduler.scheduled-time>` and `<aws.scheduler.schedule-arn>` in the input template, so
 * the scheduled time (not the late arrival time) drives decisions and idempotency.
 */
const scheduledTime = z.iso.datetime({ offset: true });
const scheduleName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'not a schedule name');
const serviceArn = z
  .string()
  .regex(
    /^arn:(aws|aws-cn|aws-us-gov):apprunner:[a-z]{2}(-[a-z]+)+-\d:\d{12}:service\/[A-Za-z0-9][A-Za-z0-9_-]{3,39}\/[0-9a-f]{32}$/,
    'not an App Runner service ARN',
  );

export const pauseResumePayloadSchema = z.object({
  action: z.enum(['pause', 'resume', 'converge']),
  schedule: scheduleName,
  scheduledTime,
  scheduleArn: z.string().max(2048).optional(),
  /** Set on follow-up attempts for services that were busy. */
  attempt: z.number().int().min(0).max(20).optional(),
  /** Restricts a follow-up run to these services. */
  services: z.array(serviceArn).max(500).optional(),
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
    attempt: z.number().int().min(0).max(20).default(0),
    snapshotKey: z.string().max(512).optional(),
  }),
  z.object({ action: z.literal('sweep'), scheduledTime, scheduleArn: z.string().max(2048).optional() }),
]);
export type CleanupPayload = z.infer<typeof cleanupPayloadSchema>;

/**
 * Validates a Scheduler payload with the given schema.
 *
 * @throws InvalidEventError naming the offending field.
 */
export function parseSchedulerPayload<T>(schema: z.ZodType<T>, raw: unknown): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidEventError('(payload)', 'is not a JSON object');
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const message =
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    throw new InvalidEventError(issue.path.map(String).join('.') || '(payload)', message);
  }
  return r.data;
}
