/**
 * Rejected events are made visible: every rejection is counted (a CloudWatch metric with `job`
 * and `reason` dimensions, alarmed in the template), and where a function is given an alerter, a
 * rejected App Runner *failure* event about a service of this account is alerted to a human
 * (`lib/notify/rejected-failure.ts`), because the guard did nothing about a failure it handles.
 */
import type { InvalidEventError } from './core/errors.ts';
import type { Job } from './core/guard-event.ts';
import { EventLimitError } from './events/limits.ts';

/**
 * Why an event was rejected, as the metric's `reason` dimension: a small fixed vocabulary, never
 * the free-text message, so the metric's cardinality stays bounded.
 */
export const REJECTION_REASONS = [
  'size',
  'depth',
  'source',
  'account',
  'identity',
  'status',
  'schema',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Port: counts a rejection (the CloudWatch metric, see `lib/aws/metrics.ts`). */
export interface RejectionCounter {
  count(job: Job, reason: RejectionReason): void;
}

const IDENTITY_FIELDS = new Set([
  'region',
  'resources',
  'resources.0',
  'detail.ServiceName',
  'detail.serviceName',
  'detail.ServiceId',
  'detail.serviceId',
]);
const STATUS_FIELDS = new Set([
  'detail.Status',
  'detail.operationStatus',
  'detail.PreviousStatus',
  'detail.previousServiceStatus',
  'detail.CurrentStatus',
  'detail.currentServiceStatus',
]);

/** The metric reason of a rejection, from the field it names (or the limit it broke). */
export function reasonOf(error: InvalidEventError): RejectionReason {
  if (error instanceof EventLimitError) return error.limit;
  if (error.field === 'source') return 'source';
  if (error.field === 'account') return 'account';
  if (IDENTITY_FIELDS.has(error.field)) return 'identity';
  if (STATUS_FIELDS.has(error.field)) return 'status';
  return 'schema';
}

/** What a function does with its rejections: the `onReject` hook of `withGuard`. */
export interface RejectionHandlerOptions {
  job: Job;
  counter: RejectionCounter;
  /**
   * Alerts a human when the rejected event matters (`createRejectedFailureAlerter`). Only the
   * notifier sets it: it subscribes to every App Runner failure any job handles (test/routing
   * asserts this), so one rejected event is alerted once, not once per function it reached.
   */
  alert?: (error: InvalidEventError, raw: unknown) => Promise<void>;
}

/**
 * Builds the `onReject` hook of `withGuard`: counts the rejection by job and reason, then runs the
 * alerter, if any. A failed alert throws, so Lambda retries the event (it is rejected and counted
 * again, and the alert retried) rather than losing the alert.
 */
export function createRejectionHandler(options: RejectionHandlerOptions) {
  return async (error: InvalidEventError, raw: unknown): Promise<void> => {
    options.counter.count(options.job, reasonOf(error));
    await options.alert?.(error, raw);
  };
}
