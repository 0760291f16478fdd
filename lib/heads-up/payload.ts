import { scheduleSpecSchema } from '../pause-resume/schedule-spec.ts';
import * as z from '../zod.ts';

/**
 * The heads-up schedule's payload (docs/architecture.md, "Heads-up"): like a pause/resume fire,
 * self-contained — the schedule's definition and the lead time travel with it.
 */
export const headsUpPayloadSchema = z.object({
  action: z.literal('heads-up'),
  schedule: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'not a schedule name')),
  scheduledTime: z.iso.datetime({ offset: true }),
  scheduleArn: z.optional(z.string().check(z.maxLength(2048))),
  firstAttemptAt: z.optional(z.iso.datetime({ offset: true })),
  /** Minutes before the pause the heads-up is due. */
  leadMinutes: z.number().check(z.int(), z.gte(1), z.lte(24 * 60)),
  definition: scheduleSpecSchema,
});
export type HeadsUpPayload = z.infer<typeof headsUpPayloadSchema>;

/** True for a heads-up payload (before it is validated). */
export function isHeadsUpPayload(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { action?: unknown }).action === 'heads-up';
}
