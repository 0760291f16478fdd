/**
 * Rejected events are made visible: every rejection is counted (a CloudWatch metric with `job`
 * and `reason` dimensions, alarmed in the template), and a rejected App Runner *failure* event
 * about a service of this account is alerted to a human, because the guard did nothing about a
 * failure it was meant to handle.
 */
import type { InvalidEventError } from './errors.ts';
import { APP_RUNNER_SOURCE, OPERATION_STATUSES, parseServiceArn } from './events/app-runner.ts';
import type { Job } from './events/guard.ts';
import { EventLimitError } from './events/limits.ts';
import { normalizeText } from './events/text.ts';
import { type Alert, serviceLinks } from './notify/alert.ts';
import type { SnsPort } from './notify/ports.ts';
import { buildSnsMessage } from './notify/sns-message.ts';

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

const OPERATION_FAILURES: ReadonlySet<string> = new Set(
  OPERATION_STATUSES.filter((s) => s.endsWith('Failed')),
);
const FAILED_SERVICE_STATUSES: ReadonlySet<string> = new Set(['CREATE_FAILED', 'DELETE_FAILED']);

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const stringAt = (r: Record<string, unknown>, key: string): string | undefined =>
  Object.hasOwn(r, key) && typeof r[key] === 'string' ? r[key] : undefined;

/**
 * The App Runner failure a rejected event reports, read with shallow property reads only (the
 * event may be hostile: too deep, too large): source `aws.apprunner`, a failed operation status
 * or a `CREATE_FAILED`/`DELETE_FAILED` service status in either spelling, and a first resource
 * that parses as a service ARN of `accountId`. `undefined` when any of that does not hold.
 */
export function rejectedFailureOf(raw: unknown, accountId: string) {
  const event = record(raw);
  if (!event || event.source !== APP_RUNNER_SOURCE) return undefined;
  const detail = record(event.detail);
  if (!detail) return undefined;
  const operation = stringAt(detail, 'Status') ?? stringAt(detail, 'operationStatus');
  const current = stringAt(detail, 'CurrentStatus') ?? stringAt(detail, 'currentServiceStatus');
  const status =
    operation && OPERATION_FAILURES.has(operation)
      ? operation
      : current && FAILED_SERVICE_STATUSES.has(current)
        ? current
        : undefined;
  if (!status) return undefined;
  const resources = Array.isArray(event.resources) ? event.resources : [];
  const service = typeof resources[0] === 'string' ? parseServiceArn(resources[0]) : undefined;
  if (!service || service.account !== accountId) return undefined;
  const id = stringAt(event, 'id');
  const time = stringAt(event, 'time');
  return {
    status,
    service,
    eventId: id ? normalizeText(id, 128) : undefined,
    time: time && !Number.isNaN(Date.parse(time)) ? new Date(time).toISOString() : undefined,
  };
}

/**
 * The alert for a rejected App Runner failure event: what was rejected, which field and why, that
 * the guard took no action, and what a human should check. `undefined` when the event is not a
 * failure of a service of this account (see {@link rejectedFailureOf}).
 */
export function describeRejectedFailure(
  raw: unknown,
  error: InvalidEventError,
  options: { job: Job; accountId: string; now: () => Date },
): Alert | undefined {
  const failure = rejectedFailureOf(raw, options.accountId);
  if (!failure) return undefined;
  const { status, service } = failure;
  const eventId = failure.eventId ?? 'unknown';
  const reason = reasonOf(error);
  return {
    messageId: `rejected|${eventId}`,
    time: failure.time ?? options.now().toISOString(),
    severity: 'critical',
    title: `Rejected a ${status} event: ${service.name}`,
    summary: `The guard rejected App Runner's ${status} event for ${service.name} as invalid (${error.message}), so it did not handle this failure.`,
    facts: [
      { label: 'Service', value: service.name },
      { label: 'Status', value: status },
      { label: 'Rejected field', value: error.field },
      { label: 'Rejection reason', value: reason },
      { label: 'Function', value: options.job },
      { label: 'Event id', value: eventId },
    ],
    links: serviceLinks(service),
    actionTaken: `None: the guard took no action on this event (no rollback, no cleanup). A human should check the service in the App Runner console (its status and latest operation) and roll back, delete or resume it by hand if needed, then find out why field ${error.field} was invalid.`,
    dedupKey: `rejected|${service.arn}|${status}`,
    service,
    status,
    job: options.job,
    source: APP_RUNNER_SOURCE,
    detailType: 'Event Rejected',
    dryRun: false,
  };
}

/** What a function does with its rejections: the `onReject` hook of `withGuard`. */
export interface RejectionHandlerOptions {
  job: Job;
  accountId: string;
  counter: RejectionCounter;
  /**
   * Where rejected App Runner failures are alerted. Only the notifier sets it: it subscribes to
   * every App Runner failure any job handles (test/routing asserts this), so one rejected event
   * is alerted once, not once per function it was routed to.
   */
  alerts?: SnsPort;
  now?: () => Date;
}

/**
 * Builds the `onReject` hook: counts the rejection by job and reason, then alerts a rejected App
 * Runner failure of this account when `alerts` is set. A failed publish throws, so Lambda retries
 * the event (it is rejected again and the alert retried) rather than losing the alert.
 */
export function createRejectionHandler(options: RejectionHandlerOptions) {
  const now = options.now ?? (() => new Date());
  return async (error: InvalidEventError, raw: unknown): Promise<void> => {
    options.counter.count(options.job, reasonOf(error));
    if (!options.alerts) return;
    const alert = describeRejectedFailure(raw, error, {
      job: options.job,
      accountId: options.accountId,
      now,
    });
    if (alert) await options.alerts.publish(buildSnsMessage(alert));
  };
}
