/**
 * The alert for an App Runner failure event the guard rejected: the guard did nothing about a
 * failure it exists to handle, so a human must check the service.
 */
import type { InvalidEventError } from '../core/errors.ts';
import type { Job } from '../core/guard-event.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { normalizeText } from '../core/text.ts';
import { APP_RUNNER_SOURCE, OPERATION_STATUSES, parseServiceArn } from '../events/app-runner.ts';
import { reasonOf } from '../rejections.ts';
import { type Alert, serviceLinks } from './alert.ts';
import type { SnsPort } from './ports.ts';
import { buildSnsMessage } from './sns-message.ts';

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
 * that parses as a service ARN in one of the guard's targets. `undefined` when any of that does not hold.
 */
export function rejectedFailureOf(raw: unknown, targets: TargetCheck) {
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
  if (!service || !targets.isTarget(service.account, service.region)) return undefined;
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
  options: { job: Job; targets: TargetCheck; now: () => Date },
): Alert | undefined {
  const failure = rejectedFailureOf(raw, options.targets);
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

/**
 * Builds the alerter of the notifier's rejections: publishes {@link describeRejectedFailure} to
 * SNS when the rejected event is an App Runner failure of a service of this account.
 */
export function createRejectedFailureAlerter(options: {
  job: Job;
  targets: TargetCheck;
  sns: SnsPort;
  now?: () => Date;
}) {
  const now = options.now ?? (() => new Date());
  return async (error: InvalidEventError, raw: unknown): Promise<void> => {
    const alert = describeRejectedFailure(raw, error, {
      job: options.job,
      targets: options.targets,
      now,
    });
    if (alert) await options.sns.publish(buildSnsMessage(alert));
  };
}
