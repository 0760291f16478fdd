/**
 * The alert model: one pure function from an event the notifier receives to what a human should
 * read. Renderers (Slack, SNS) only format an {@link Alert}; every decision lives here.
 *
 * **One message per incident.** The notifier receives App Runner's failure events and the guard's
 * own events. A failure that a guard job *owns* produces no message of its own, because the owning
 * job always publishes exactly one outcome event that carries the failure and what the guard did:
 *
 * | App Runner failure | owned by | the one message comes from |
 * |---|---|---|
 * | `DeploymentFailed`, `UpdateServiceFailed` | rollback | `Rollback Completed` / `Rollback Skipped` / `Rollback Failed` |
 * | `CreateServiceFailed`, status `CREATE_FAILED`, status `DELETE_FAILED` | cleanup | `Failed Service Deletion Scheduled` / `Failed Service Kept` / `Failed Service Deleted` / `Cleanup Failed` |
 *
 * Unowned failures (`PauseServiceFailed`, `ResumeServiceFailed`, `DeleteServiceFailed`) are alerted
 * directly. `Release Recorded` (routine) and `Notification Failed` (the notifier's own failure,
 * which would loop back) are never alerted.
 *
 * **Severity rules.**
 * - App Runner failures alerted directly: `critical`, except `PauseServiceFailed`, which is a
 *   `warning`: the service keeps serving, it only keeps costing money. `ResumeServiceFailed` is
 *   critical: a service that should serve is down.
 * - Guard events with outcome `failed`: `critical` (the guard gave up; a human must act).
 * - `Service Quota Warning`: `warning`.
 * - Outcome `skipped` by rollback or cleanup: `warning`: the failure they own stays unremedied
 *   (no known-good release, code-based service, opted out, paused). So is a rollback `deferred`
 *   for good (it gave up waiting for an operation). Any guard event may also ask for attention
 *   with `details.attention: true`. Other skips: `info`. (The loop guard is a `failed` outcome.)
 * - Every other guard action (acted, noop, deferred), dry-run or not: `info`. Dry-run alerts carry
 *   a `DRY RUN` marker in the title and a fact saying nothing was changed.
 */

import {
  FAILED_SERVICE_STATUSES,
  type FailureOwner,
  ownerOfOperation,
  ownerOfStatus,
} from '../core/app-runner-facts.ts';
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import { type AppRunnerEvent, parseServiceArn, type ServiceStatus } from '../events/app-runner.ts';
import type { GuardEvent } from '../events/guard.ts';

/** What the notifier receives (already validated by the handler stack). */
export type NotifyInput = AppRunnerEvent | GuardEvent;

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** A labelled value. Plain text: renderers escape it for their channel. */
export interface AlertFact {
  label: string;
  value: string;
}

/** A link a human can follow (console, logs). */
export interface AlertLink {
  label: string;
  url: string;
}

/** The service an alert is about. */
export interface AlertService {
  arn: string;
  name: string;
  region: string;
  account: string;
  id?: string;
}

/** Alerts for the same key that were collapsed during a storm window (see `storm.ts`). */
export interface StormSummary {
  count: number;
  /** Event time of the first and last collapsed alert. */
  from: string;
  to: string;
}

/** What a human should read, independent of the channel. */
export interface Alert {
  /** Identifies the message for per-channel exactly-once delivery: the event id. */
  messageId: string;
  /** Event time (ISO-8601), never the wall clock. */
  time: string;
  severity: Severity;
  /** Short headline built from our own words and the service name only, never free event text. */
  title: string;
  /** One or two sentences; may contain event text (plain, unescaped). */
  summary: string;
  facts: AlertFact[];
  links: AlertLink[];
  /** What the guard did about it (or would have, in dry-run). */
  actionTaken: string;
  /** Same service + same status + same severity: alerts that collapse together in a storm. */
  dedupKey: string;
  service?: AlertService;
  /** Filterable status: the App Runner status, or the guard outcome. */
  status: string;
  /** Filterable job: the guard job, or `apprunner` for App Runner's own failures. */
  job: string;
  source: 'aws.apprunner' | 'apprunner-guard';
  detailType: string;
  dryRun: boolean;
  /** The guard event's `details`, for machine subscribers of the SNS topic. */
  details?: Record<string, unknown>;
  storm?: StormSummary;
}

/** Whether an input becomes a message, and why not. */
export type NotifyDecision = { notify: true } | { notify: false; reason: string };

const FAILED_STATUSES: ReadonlySet<ServiceStatus> = new Set(FAILED_SERVICE_STATUSES);

/** The guard job that reports this App Runner failure with its own outcome event, if any. */
export function ownerOf(input: NotifyInput): FailureOwner | undefined {
  if (input.kind === 'operation') return ownerOfOperation(input.status);
  if (input.kind === 'service-status') return ownerOfStatus(input.currentStatus);
  return undefined;
}

/**
 * Decides whether an input gets a message of its own (see the table in this module's TSDoc):
 * owned failures, non-failures, `Release Recorded` and `Notification Failed` do not.
 */
export function decideNotify(input: NotifyInput): NotifyDecision {
  const owner = ownerOf(input);
  if (owner) return { notify: false, reason: `reported with the ${owner} outcome` };
  if (input.kind === 'operation' && input.phase !== 'Failed') {
    return { notify: false, reason: `${input.status} is not a failure` };
  }
  if (input.kind === 'service-status' && !FAILED_STATUSES.has(input.currentStatus)) {
    return { notify: false, reason: `${input.currentStatus} is not a failure status` };
  }
  if (input.kind === 'guard') {
    if (input.detailType === GUARD_DETAIL_TYPES.releaseRecorded) {
      return { notify: false, reason: 'a recorded release is routine, not an alert' };
    }
    if (input.detailType === GUARD_DETAIL_TYPES.notificationFailed) {
      return { notify: false, reason: "the notifier's own failures are reported through SNS directly" };
    }
  }
  return { notify: true };
}

const OPERATION_TITLES: Record<string, string> = {
  CreateService: 'Service creation failed',
  DeleteService: 'Service deletion failed',
  UpdateService: 'Service update failed',
  Deployment: 'Deployment failed',
  PauseService: 'Pause failed',
  ResumeService: 'Resume failed',
};

const OPERATION_ACTIONS: Record<string, string> = {
  CreateService:
    'None yet: the cleanup job snapshots and deletes CREATE_FAILED services after the grace period.',
  DeleteService:
    'None: the service still exists and counts toward the service quota. Retry the deletion or look at the Activity tab.',
  UpdateService: 'None yet: the rollback job decides whether to pin the last known-good image.',
  Deployment: 'None yet: the rollback job decides whether to pin the last known-good image.',
  PauseService: 'None: the service keeps running (and billing). Pause it again or check its Activity tab.',
  ResumeService:
    'None: the service stays paused and serves no traffic. Resume it by hand and check its Activity tab.',
};

/**
 * Builds the alert for any input: every fixture renders, including owned failures (use
 * {@link decideNotify} to know whether to send it).
 */
export function describeAlert(input: NotifyInput): Alert {
  return input.kind === 'guard' ? describeGuardEvent(input) : describeAppRunnerEvent(input);
}

function describeAppRunnerEvent(event: AppRunnerEvent): Alert {
  const service: AlertService = { ...event.service };
  const status = event.kind === 'operation' ? event.status : event.currentStatus;
  const severity: Severity =
    event.kind === 'operation' && event.status === 'PauseServiceFailed'
      ? 'warning'
      : event.kind === 'operation' && event.phase !== 'Failed'
        ? 'info'
        : event.kind === 'service-status' && !FAILED_STATUSES.has(event.currentStatus)
          ? 'info'
          : 'critical';
  const title =
    event.kind === 'operation'
      ? `${OPERATION_TITLES[event.operation] ?? event.operation}: ${service.name}`
      : `Service is ${event.currentStatus}: ${service.name}`;
  const what =
    event.kind === 'operation'
      ? `App Runner reported ${event.status} for ${service.name}.`
      : `App Runner service ${service.name} went from ${event.previousStatus} to ${event.currentStatus}.`;
  const facts: AlertFact[] = [
    { label: 'Severity', value: severity },
    { label: 'Service', value: service.name },
    { label: 'Status', value: status },
    ...(event.kind === 'service-status'
      ? [{ label: 'Previous status', value: event.previousStatus }]
      : [{ label: 'Operation', value: event.operation }]),
    { label: 'Region', value: service.region },
    { label: 'Account', value: service.account },
    { label: 'Time', value: event.time },
    { label: 'Event', value: event.eventId },
  ];
  const actionTaken =
    event.kind === 'operation'
      ? (OPERATION_ACTIONS[event.operation] ?? 'None.')
      : event.currentStatus === 'CREATE_FAILED'
        ? OPERATION_ACTIONS.CreateService!
        : 'None yet: the cleanup job retries failed deletions.';
  return {
    messageId: event.eventId,
    time: event.time,
    severity,
    title,
    summary: event.message ? `${what} ${event.message}` : what,
    facts,
    links: serviceLinks(service),
    actionTaken,
    dedupKey: dedupKeyOf(service.arn, status, severity),
    service,
    status,
    job: 'apprunner',
    source: 'aws.apprunner',
    detailType:
      event.kind === 'operation'
        ? 'AppRunner Service Operation Status Change'
        : 'AppRunner Service Status Change',
    dryRun: false,
  };
}

/** Guard-event severity (rules in this module's TSDoc). */
export function guardSeverity(event: GuardEvent): Severity {
  const d = event.detail;
  if (d.outcome === 'failed') return 'critical';
  if (event.detailType === GUARD_DETAIL_TYPES.quotaWarning) return 'warning';
  if (d.details.attention === true) return 'warning';
  if (d.outcome === 'skipped' && (d.job === 'rollback' || d.job === 'cleanup')) return 'warning';
  // The rollback gave up waiting for an in-progress operation: the failed deployment is unhandled.
  if (d.outcome === 'deferred' && d.job === 'rollback') return 'warning';
  return 'info';
}

function actionTakenOf(event: GuardEvent): string {
  const { outcome, action, dryRun } = event.detail;
  if (dryRun && outcome === 'acted') return `DRY RUN: would have done ${action}; nothing was changed.`;
  const prefix = dryRun ? 'DRY RUN: ' : '';
  switch (outcome) {
    case 'acted':
      return `Done: ${action}.`;
    case 'noop':
      return `${prefix}Nothing to do.`;
    case 'skipped':
      return `${prefix}Nothing done: skipped${action === 'none' ? '' : ` ${action}`}.`;
    case 'deferred':
      return `${prefix}Deferred: the guard will try ${action} again.`;
    case 'failed':
      return `${prefix}Failed${action === 'none' ? '' : ` while attempting ${action}`}: a human must act.`;
  }
}

/**
 * Labels of the `details` keys the jobs publish, in the order they are shown. Other scalar keys
 * follow under their own name. `failureStatus`/`failureMessage` go into the summary instead.
 */
const DETAIL_LABELS: Record<string, string> = {
  fromImage: 'From image',
  toImage: 'To image',
  failedDigest: 'Failed digest',
  fromDigest: 'From digest',
  toDigest: 'To digest',
  quarantinedDigest: 'Quarantined digest',
  configuredImage: 'Configured image',
  configuredDigest: 'Configured digest',
  serviceStatus: 'Service status',
  status: 'Service status',
  deleteAt: 'Deletion at',
  next: 'Next step',
  attempt: 'Attempt',
  maxDeleteAttempts: 'Max attempts',
  attempts: 'Attempts',
  snapshotKey: 'Snapshot',
  operationId: 'Operation',
  lastOperations: 'Recent operations',
  knownGoodReleases: 'Known-good releases',
  error: 'Error',
};
/** Shown in the summary instead (failure), or only useful to machines (in the SNS JSON `details`). */
const NOT_FACTS = new Set(['failureStatus', 'failureMessage', 'attention', 'code']);

function factValue(key: string, value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join('; ');
  }
  if (key === 'counts' && value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
  }
  return undefined;
}

function detailFacts(details: Record<string, unknown>): AlertFact[] {
  const known = Object.keys(DETAIL_LABELS).filter((k) => k in details);
  const other = Object.keys(details).filter((k) => !(k in DETAIL_LABELS) && !NOT_FACTS.has(k));
  const facts: AlertFact[] = [];
  for (const key of [...known, ...other]) {
    const value = factValue(key, details[key]);
    if (value === undefined || value === '') continue;
    facts.push({ label: DETAIL_LABELS[key] ?? (key === 'counts' ? 'Counts' : key), value });
  }
  return facts;
}

/** The guard's reason, plus the App Runner failure it reports (owned failures have no message of their own). */
function guardSummary(event: GuardEvent): string {
  const { reason, details } = event.detail;
  const status = typeof details.failureStatus === 'string' ? details.failureStatus : undefined;
  const message = typeof details.failureMessage === 'string' ? details.failureMessage : undefined;
  if (!status && !message) return reason;
  return `${reason}\nApp Runner reported ${status ?? 'a failure'}${message ? `: ${message}` : '.'}`;
}

function describeGuardEvent(event: GuardEvent): Alert {
  const d = event.detail;
  const severity = guardSeverity(event);
  const parsed = d.service ? parseServiceArn(d.service.arn) : undefined;
  const service: AlertService | undefined = d.service
    ? { ...d.service, ...(parsed ? { id: parsed.id } : {}) }
    : undefined;
  // A fleet event names its schedule (pause-resume); the cleanup sweep's trigger names no subject.
  const subject = service?.name ?? (d.job === 'pause-resume' ? scheduleOf(d.trigger) : undefined);
  const title = `${d.dryRun ? 'DRY RUN ' : ''}${event.detailType}${subject ? `: ${subject}` : ''}`;
  const facts: AlertFact[] = [
    { label: 'Severity', value: severity },
    ...(service ? [{ label: 'Service', value: service.name }] : []),
    { label: 'Outcome', value: d.outcome },
    { label: 'Job', value: d.job },
    { label: 'Action', value: d.action },
    ...(d.dryRun ? [{ label: 'Dry run', value: 'yes: nothing was changed' }] : []),
    ...detailFacts(d.details),
    ...(service ? [{ label: 'Region', value: service.region }] : []),
    { label: 'Time', value: event.time },
    { label: 'Trigger', value: d.trigger },
  ];
  return {
    messageId: event.eventId,
    time: event.time,
    severity,
    title,
    summary: guardSummary(event),
    facts,
    links: service ? serviceLinks(service) : [],
    actionTaken: actionTakenOf(event),
    dedupKey: dedupKeyOf(service?.arn ?? `fleet:${subject ?? d.job}`, event.detailType, severity),
    ...(service ? { service } : {}),
    status: d.outcome,
    job: d.job,
    source: 'apprunner-guard',
    detailType: event.detailType,
    dryRun: d.dryRun,
    details: d.details,
  };
}

/** `office-hours-berlin@2026-…` → `office-hours-berlin`; an event id (a UUID) → undefined. */
function scheduleOf(trigger: string): string | undefined {
  const at = trigger.indexOf('@');
  return at > 0 ? trigger.slice(0, at) : undefined;
}

function dedupKeyOf(subject: string, status: string, severity: Severity): string {
  return `${subject}|${status}|${severity}`;
}

/**
 * Console and CloudWatch Logs links for a service. App Runner writes `/aws/apprunner/<name>/<id>/
 * application` and `/service`; the CloudWatch console expects the group name URI-encoded twice
 * with `%` written as `$`.
 */
export function serviceLinks(service: AlertService): AlertLink[] {
  const { region, arn } = service;
  const console = `https://${region}.console.aws.amazon.com`;
  const links: AlertLink[] = [
    {
      label: 'Open in App Runner',
      url: `${console}/apprunner/home?region=${region}#/services/dashboard?service_arn=${encodeURIComponent(arn)}`,
    },
  ];
  const id = service.id ?? parseServiceArn(arn)?.id;
  if (id) {
    const group = (kind: string) =>
      encodeURIComponent(encodeURIComponent(`/aws/apprunner/${service.name}/${id}/${kind}`)).replaceAll(
        '%',
        '$',
      );
    const logs = `${console}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/`;
    links.push(
      { label: 'Application logs', url: `${logs}${group('application')}` },
      { label: 'Service logs', url: `${logs}${group('service')}` },
    );
  }
  return links;
}
