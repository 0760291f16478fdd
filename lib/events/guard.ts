import { InvalidEventError } from '../core/errors.ts';
import {
  GUARD_DETAIL_TYPE_VALUES,
  GUARD_SOURCE,
  type GuardDetailType,
  type GuardEventDetail,
  guardDetailSchema,
} from '../core/guard-event.ts';
import * as z from '../zod.ts';

// The detail shape and its schema live in lib/core/guard-event.ts; this file parses the envelope.
export { GUARD_SOURCE, type GuardEventDetail } from '../core/guard-event.ts';

/** A guard event as the notifier receives it. */
export interface GuardEvent {
  kind: 'guard';
  eventId: string;
  time: string;
  detailType: GuardDetailType;
  detail: GuardEventDetail;
}

const envelopeSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  'detail-type': z.enum(GUARD_DETAIL_TYPE_VALUES),
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
