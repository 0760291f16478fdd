import { InvalidEventError } from '../core/errors.ts';
import { outsideTargets, type TargetCheck } from '../core/ports/targets.ts';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** A JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-empty string, or an `InvalidEventError` naming the field. */
export function requiredString(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new InvalidEventError(field, 'is required');
  return v;
}

/** The EventBridge envelope of an AWS service event, checked. */
export interface Envelope {
  id: string;
  /** As sent (a parseable time). */
  time: string;
  account: string;
  region: string;
  detail: Record<string, unknown>;
}

/**
 * Checks the envelope every AWS service event shares, in the order a rejection names its field:
 * id, time, source, detail-type, account and region (one of the guard's targets: strict on
 * identity), then that `detail` is an object. The job's own parser reads the detail.
 *
 * @throws InvalidEventError (terminal) naming the offending field.
 */
export function parseEnvelope(
  raw: unknown,
  expected: { source: string; detailType: string; targets: TargetCheck },
): Envelope {
  if (!isRecord(raw)) throw new InvalidEventError('(event)', 'is not a JSON object');
  const id = requiredString('id', raw.id);
  const time = requiredString('time', raw.time);
  if (Number.isNaN(Date.parse(time))) throw new InvalidEventError('time', 'is not a time');
  if (raw.source !== expected.source) throw new InvalidEventError('source', `must be ${expected.source}`);
  if (raw['detail-type'] !== expected.detailType)
    throw new InvalidEventError('detail-type', `must be ${expected.detailType}`);
  const account = requiredString('account', raw.account);
  const region = requiredString('region', raw.region);
  if (!REGION.test(region)) throw new InvalidEventError('region', 'is not an AWS region');
  const outside = outsideTargets(expected.targets, account, region);
  if (outside) throw new InvalidEventError(outside.field, outside.message);
  if (!isRecord(raw.detail)) throw new InvalidEventError('detail', 'is not a JSON object');
  return { id, time, account, region, detail: raw.detail };
}
