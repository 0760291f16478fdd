import { InvalidEventError } from '../errors.ts';
import * as z from '../zod.ts';
import { normalizeText } from './text.ts';

/** `source` of the guard's own events. */
export const GUARD_SOURCE = 'apprunner-guard';

export const JOBS = ['rollback', 'record-release', 'cleanup', 'pause-resume', 'notify'] as const;
export type Job = (typeof JOBS)[number];

export const OUTCOMES = ['acted', 'noop', 'skipped', 'deferred', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Detail-types of the guard's events: they read as what happened. */
export const GUARD_DETAIL_TYPES = {
  rollbackCompleted: 'Rollback Completed',
  rollbackSkipped: 'Rollback Skipped',
  rollbackFailed: 'Rollback Failed',
  releaseRecorded: 'Release Recorded',
  releaseRecordingFailed: 'Release Recording Failed',
  deletionScheduled: 'Failed Service Deletion Scheduled',
  serviceDeleted: 'Failed Service Deleted',
  serviceKept: 'Failed Service Kept',
  cleanupFailed: 'Cleanup Failed',
  scheduleRunCompleted: 'Schedule Run Completed',
  scheduleActionFailed: 'Schedule Action Failed',
  quotaWarning: 'Service Quota Warning',
  notificationFailed: 'Notification Failed',
} as const;
export type GuardDetailType = (typeof GUARD_DETAIL_TYPES)[keyof typeof GUARD_DETAIL_TYPES];
const DETAIL_TYPE_VALUES = Object.values(GUARD_DETAIL_TYPES) as [GuardDetailType, ...GuardDetailType[]];

const serviceSchema = z.object({
  arn: z.string().check(z.minLength(1), z.maxLength(2048)),
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  region: z.string().check(z.minLength(1), z.maxLength(32)),
  account: z.string().check(z.regex(/^\d{12}$/)),
});

/** The one detail shape of every guard event (DESIGN.md §6). */
export const guardDetailSchema = z.object({
  job: z.enum(JOBS),
  outcome: z.enum(OUTCOMES),
  action: z.string().check(z.minLength(1), z.maxLength(64)),
  // Free text: normalised to its bound, never a reason to lose the event.
  reason: z.pipe(
    z.string().check(z.minLength(1)),
    z.transform((s) => normalizeText(s, 2000)),
  ),
  service: z.optional(serviceSchema),
  trigger: z.pipe(
    z.string(),
    z.transform((s) => normalizeText(s, 512)),
  ),
  dryRun: z.boolean(),
  details: z._default(z.record(z.string(), z.unknown()), {}),
});
export type GuardEventDetail = z.infer<typeof guardDetailSchema>;

/** The service as a guard event names it. */
export type GuardEventService = NonNullable<GuardEventDetail['service']>;

/** Projects a service (an event's, or a parsed ARN) onto the guard event's `service` field. */
export function guardServiceOf(ref: GuardEventService): GuardEventService {
  return { arn: ref.arn, name: ref.name, region: ref.region, account: ref.account };
}

/** A guard event as the notifier receives it. */
export interface GuardEvent {
  kind: 'guard';
  eventId: string;
  time: string;
  detailType: GuardDetailType;
  detail: GuardEventDetail;
}

/** A guard event ready for `PutEvents`. */
export interface GuardEventEntry {
  detailType: GuardDetailType;
  detail: GuardEventDetail;
}

const envelopeSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  'detail-type': z.enum(DETAIL_TYPE_VALUES),
  source: z.literal(GUARD_SOURCE),
  account: z.string().check(z.regex(/^\d{12}$/)),
  time: z.iso.datetime({ offset: true }),
  detail: guardDetailSchema,
});

/**
 * Validates one of the guard's own events.
 *
 * @throws InvalidEventError naming the offending field.
 */
export function parseGuardEvent(raw: unknown, options: { accountId: string }): GuardEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidEventError('(event)', 'is not a JSON object');
  }
  const r = envelopeSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InvalidEventError(issue.path.map(String).join('.') || '(event)', issue.message);
  }
  if (r.data.account !== options.accountId) {
    throw new InvalidEventError('account', `event from account ${r.data.account}, not this guard's account`);
  }
  return {
    kind: 'guard',
    eventId: r.data.id,
    time: r.data.time,
    detailType: r.data['detail-type'],
    detail: r.data.detail,
  };
}
