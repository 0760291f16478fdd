/**
 * The alert model: one pure function from an event the notifier receives to what a human should
 * read. Renderers (Slack, SNS) only format an {@link Alert}; every decision lives here and in the
 * files beside it, split by reason to change: `ownership.ts` (which inputs get a message),
 * `severity.ts`, `alert-text.ts` (titles, actions, summary, facts) and `links.ts`.
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
 * - Fix forward: `Pin Released` is `info`; `Pin Kept` is `info`, or `warning` when the push was the
 *   digest that failed or a quarantined one (`details.attention`): the team thinks it shipped.
 * - Outcome `skipped` by rollback or cleanup: `warning`: the failure they own stays unremedied
 *   (no known-good release, code-based service, opted out, paused). So is a rollback `deferred`
 *   for good (it gave up waiting for an operation). Any guard event may also ask for attention
 *   with `details.attention: true`. Other skips: `info`. (The loop guard is a `failed` outcome.)
 * - Every other guard action (acted, noop, deferred), dry-run or not: `info`. Dry-run alerts carry
 *   a `DRY RUN` marker in the title and a fact saying nothing was changed.
 */

import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import { type AppRunnerEvent, parseServiceArn } from '../events/app-runner.ts';
import type { GuardEvent } from '../events/guard.ts';
import {
  actionTakenOf,
  detailFacts,
  guardSummary,
  OPERATION_ACTIONS,
  OPERATION_TITLES,
  scheduleOf,
} from './alert-text.ts';
import { serviceLinks } from './links.ts';
import { appRunnerSeverity, guardSeverity } from './severity.ts';

// Split by reason to change: ownership (who reports what), severity, text, links.
export { serviceLinks } from './links.ts';
export { decideNotify, ownerOf } from './ownership.ts';
export { guardSeverity } from './severity.ts';

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

/**
 * A button a human can answer the guard with from Slack (app mode; the ids of
 * `lib/slack-actions/payload.ts`). Its value is the JSON the slack-actions endpoint parses.
 */
export interface AlertAction {
  id: 'keep-service' | 'keep-running' | 'rollback' | 'release-pin';
  label: string;
  service: string;
  /** keep-running: until when (ISO-8601). */
  until?: string;
  /** Shown beside the button (one service of a heads-up). */
  note?: string;
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
  /** Buttons answering the guard (see {@link actionsOf}); absent when there is nothing to ask. */
  actions?: AlertAction[];
}

/** Whether an input becomes a message, and why not. */
export type NotifyDecision = { notify: true } | { notify: false; reason: string };

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
  const severity = appRunnerSeverity(event);
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
    ...detailFacts(d.job, d.details),
    // Where: the service's account and region, or the target a fleet event is about.
    ...(d.where
      ? [
          { label: 'Region', value: d.where.region },
          { label: 'Account', value: d.where.account },
        ]
      : service
        ? [{ label: 'Region', value: service.region }]
        : []),
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
    dedupKey: dedupKeyOf(
      service?.arn ?? `fleet:${d.where ? `${d.where.account}/${d.where.region}:` : ''}${subject ?? d.job}`,
      event.detailType,
      severity,
    ),
    ...(service ? { service } : {}),
    status: d.outcome,
    job: d.job,
    source: 'apprunner-guard',
    detailType: event.detailType,
    dryRun: d.dryRun,
    details: d.details,
    ...withActions(actionsOf(event)),
  };
}

const withActions = (actions: AlertAction[]) => (actions.length > 0 ? { actions } : {});

/** How long *Keep running until…* keeps a service running when the event names no time. */
export const KEEP_RUNNING_DEFAULT_HOURS = 4;

/**
 * The buttons an alert offers, from what the event says happened (never in dry-run: nothing
 * happened to answer):
 * - a deletion scheduled: *Keep this service* (the grace period is the time to answer);
 * - a rollback that pinned, or a pin kept: *Release pin*;
 * - a rollback skipped, deferred for good or failed: *Roll back now*;
 * - a pause heads-up: *Keep running until…* per service listed (`details.services`).
 */
export function actionsOf(event: GuardEvent): AlertAction[] {
  const d = event.detail;
  if (d.dryRun) return [];
  const T = GUARD_DETAIL_TYPES;
  if (event.detailType === T.pauseHeadsUp) {
    const until =
      typeof d.details.keepRunningUntil === 'string'
        ? d.details.keepRunningUntil
        : new Date(Date.parse(event.time) + KEEP_RUNNING_DEFAULT_HOURS * 3_600_000).toISOString();
    const services = Array.isArray(d.details.services) ? d.details.services : [];
    return services.flatMap((s) => {
      const v = s as { arn?: unknown; name?: unknown };
      if (typeof v.arn !== 'string' || !parseServiceArn(v.arn)) return [];
      return [
        {
          id: 'keep-running' as const,
          label: 'Keep running until…',
          service: v.arn,
          until,
          note: `${typeof v.name === 'string' ? v.name : v.arn}: pauses at ${typeof d.details.pauseAt === 'string' ? d.details.pauseAt : 'the scheduled time'}; the button keeps it running until ${until}`,
        },
      ];
    });
  }
  if (!d.service) return [];
  const service = d.service.arn;
  switch (event.detailType) {
    case T.deletionScheduled:
      return d.outcome === 'acted' ? [{ id: 'keep-service', label: 'Keep this service', service }] : [];
    case T.cleanupFailed:
      return [{ id: 'keep-service', label: 'Keep this service', service }];
    case T.rollbackCompleted:
      return d.outcome === 'acted' ? [{ id: 'release-pin', label: 'Release pin', service }] : [];
    case T.pinKept:
      return [{ id: 'release-pin', label: 'Release pin', service }];
    case T.rollbackSkipped:
    case T.rollbackFailed:
      return [{ id: 'rollback', label: 'Roll back now', service }];
    default:
      return [];
  }
}

function dedupKeyOf(subject: string, status: string, severity: Severity): string {
  return `${subject}|${status}|${severity}`;
}
