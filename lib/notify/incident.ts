/**
 * Incidents and routing in app mode (docs/architecture.md, "Slack threads"), pure: which alerts
 * belong to a service's incident, which open or resolve one, which channel an alert goes to, and
 * what the incident's parent message says now.
 *
 * An incident is one service's trouble from its first failure to its resolution: deployment
 * failed → rolled back → fix shipped (pin released) → promoted; failed to create → deletion
 * scheduled → deleted or kept. Its first message (the parent) always shows the current state, what
 * the guard did and what a human must do; each step is a reply in its thread.
 */
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { Alert, Severity } from './alert.ts';
import type { Incident, IncidentState, IncidentStep } from './ports.ts';
import {
  actionBlocks,
  mentionBlock,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  severityIcon,
  withMention,
} from './slack-message.ts';
import { mrkdwn, singleLine, truncate } from './text.ts';

/** Where the notifier posts in app mode (from `loadSlackNotifyConfig`). */
export interface SlackRouting {
  oncallChannel: string;
  infoChannel: string | undefined;
  criticalMention: string | undefined;
}

/**
 * Detail-types that resolve an incident: the fix shipped (pin released), the service was promoted
 * (`Release Promoted`, from the bake window), or the failed service was deleted or kept.
 */
export const INCIDENT_CLOSERS: ReadonlySet<string> = new Set([
  GUARD_DETAIL_TYPES.pinReleased,
  GUARD_DETAIL_TYPES.releasePromoted,
  GUARD_DETAIL_TYPES.serviceDeleted,
  GUARD_DETAIL_TYPES.serviceKept,
]);

/** Jobs that own a service's failure: whatever they report about a service starts its incident. */
const FAILURE_OWNERS: ReadonlySet<string> = new Set(['rollback', 'cleanup']);

/** Where an alert goes in app mode. */
export type SlackRoute =
  | { kind: 'drop'; reason: string }
  | { kind: 'post'; channel: string; mention?: string }
  | {
      kind: 'thread';
      /** The service's incident key (its ARN). */
      key: string;
      /** True: this alert opens a new incident (posts the parent). */
      open: boolean;
      channel: string;
      mention?: string;
      /** True: this step resolves the incident. */
      closes: boolean;
    };

const isOpen = (i: Incident | undefined): i is Incident => i !== undefined && i.closedAt === undefined;

/** Whether an alert resolves its service's incident (a dry run resolves nothing). */
export function closesIncident(alert: Alert): boolean {
  return !alert.dryRun && INCIDENT_CLOSERS.has(alert.detailType);
}

/**
 * Whether an alert about a service with no open incident starts one: a failure a job owns, or
 * anything that asks for attention (warning, critical). Routine news (a pin released, a deletion
 * done, info from other jobs) is not an incident.
 */
export function opensIncident(alert: Alert): boolean {
  if (!alert.service || closesIncident(alert)) return false;
  return alert.severity !== 'info' || alert.source === 'aws.apprunner' || FAILURE_OWNERS.has(alert.job);
}

/**
 * Routes one alert:
 * - a service with an open incident: a reply in its thread (a critical step mentions the group);
 * - an alert that opens an incident: a new parent in the on-call channel, then the reply;
 * - anything else by severity: `critical` and `warning` to the on-call channel, `info` (routine
 *   runs, schedule summaries, promotions) to the info channel, or nowhere when there is none.
 */
export function routeSlackAlert(
  alert: Alert,
  incident: Incident | undefined,
  routing: SlackRouting,
): SlackRoute {
  const mention = alert.severity === 'critical' ? routing.criticalMention : undefined;
  const withMentionOf = mention ? { mention } : {};
  if (alert.service && isOpen(incident)) {
    return {
      kind: 'thread',
      key: alert.service.arn,
      open: false,
      channel: incident.channel,
      closes: closesIncident(alert),
      ...withMentionOf,
    };
  }
  if (alert.service && opensIncident(alert)) {
    return {
      kind: 'thread',
      key: alert.service.arn,
      open: true,
      channel: routing.oncallChannel,
      closes: false,
      ...withMentionOf,
    };
  }
  if (alert.severity !== 'info') return { kind: 'post', channel: routing.oncallChannel, ...withMentionOf };
  if (!routing.infoChannel) {
    return { kind: 'drop', reason: 'info alert and no info channel configured (SLACK_INFO_CHANNEL none)' };
  }
  return { kind: 'post', channel: routing.infoChannel };
}

/**
 * Whether a step changes what the parent says (the state): a Slack action that was refused,
 * failed or changed nothing is only listed; the state (and its buttons) stays as it was.
 */
export function changesState(alert: Alert): boolean {
  return alert.job !== 'slack-actions' || alert.status === 'acted';
}

/** What the parent keeps of the step that set the state. */
export function stateOf(alert: Alert): IncidentState {
  return {
    title: truncate(singleLine(alert.title), 150),
    severity: alert.severity,
    summary: firstLine(alert.summary),
    detailType: alert.detailType,
    status: alert.status,
    job: alert.job,
    dryRun: alert.dryRun,
    serviceName: alert.service?.name ?? 'service',
    ...(alert.actions ? { actions: alert.actions } : {}),
  };
}

/** The step an alert adds to its incident. */
export function stepOf(alert: Alert): IncidentStep {
  return { id: alert.messageId, time: alert.time, title: truncate(singleLine(alert.title), 150) };
}

/**
 * What a human must do now, from the step the parent shows. Resolved incidents ask nothing.
 */
export function humanActionOf(alert: IncidentState, resolved: boolean): string {
  const T = GUARD_DETAIL_TYPES;
  if (resolved) {
    return alert.detailType === T.pinReleased
      ? 'Nothing: the fix is deploying. If it fails, the guard rolls back again in this thread.'
      : 'Nothing: resolved.';
  }
  if (alert.dryRun) return 'Dry run: the guard changed nothing. Act by hand, or turn dry-run off.';
  switch (alert.detailType) {
    case T.rollbackCompleted:
      return alert.status === 'acted'
        ? 'Fix the release and push it to the tag the service followed: the guard then releases the pin and App Runner deploys it. Or press Release pin to go back to the tag now.'
        : 'Check that the service serves the version you expect.';
    case T.rollbackSkipped:
      return 'The failed release is not remedied: press Roll back now, or deploy a fix by hand.';
    case T.rollbackFailed:
      return "The guard gave up: press Roll back now (or run `guard rollback`) and look at the service's Activity tab.";
    case T.pinKept:
      return 'The pin holds: push a fixed image to the tag, or press Release pin.';
    case T.deletionScheduled:
      return 'Press Keep this service if you need it to investigate; otherwise nothing: the guard deletes it when the grace period ends.';
    case T.cleanupFailed:
      return 'Delete the failed service by hand, or press Keep this service.';
    case T.slackActionTaken:
      return 'Nothing for now: the guard took the action asked for from Slack; what follows comes in this thread.';
    default:
      return alert.severity === 'info'
        ? 'Nothing for now.'
        : 'Look at the service: the guard could not resolve this alone.';
  }
}

/** How many steps the parent lists (the thread holds them all). */
const PARENT_STEPS = 12;

/**
 * The parent message of an incident, as it should read after `alert` (the latest step): the state
 * now, what the guard did (its steps), what a human must do, and the buttons that still apply.
 * `mention` only when the parent is first posted (an edit notifies nobody).
 */
export function renderIncidentParent(
  alert: IncidentState,
  incident: Pick<Incident, 'openedAt' | 'steps'>,
  options: { resolved: boolean; mention?: string },
): SlackMessage {
  const name = alert.serviceName;
  const state = options.resolved ? `${name}: resolved` : alert.title;
  const icon = options.resolved ? ':white_check_mark:' : severityIcon(alert.severity);
  const headline = `${icon} ${state}`;
  const steps = incident.steps.slice(-PARENT_STEPS);
  const stepLines = steps.map((s) => `• ${s.time.slice(0, 16).replace('T', ' ')}Z ${s.title}`);
  const more = incident.steps.length - steps.length;
  const human = humanActionOf(alert, options.resolved);
  const md = (text: string): SlackBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: mrkdwn(text, SLACK_LIMITS.sectionText), verbatim: true },
  });
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(singleLine(headline), SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    ...(options.mention ? [mentionBlock(options.mention)] : []),
    md(`State now: ${state} (${severityLabel(alert.severity, options.resolved)}). ${alert.summary}`),
    md(
      `What the guard did:\n${more > 0 ? `… ${more} earlier steps in the thread\n` : ''}${stepLines.join('\n')}`,
    ),
    md(`What a human must do: ${human}`),
    ...(!options.resolved && alert.actions ? actionBlocks(alert.actions) : []),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: mrkdwn(
            `apprunner-guard incident · ${name} · opened ${incident.openedAt} · ${incident.steps.length} step${incident.steps.length === 1 ? '' : 's'} in the thread`,
            2000,
          ),
          verbatim: true,
        },
      ],
    },
  ];
  const text = withMention(
    mrkdwn(
      `${options.resolved ? '[RESOLVED]' : `[${alert.severity.toUpperCase()}]`} ${state}\n${human}`,
      SLACK_LIMITS.fallbackText,
    ),
    options.mention,
  );
  return { text, blocks, unfurl_links: false, unfurl_media: false };
}

function severityLabel(severity: Severity, resolved: boolean): string {
  return resolved ? 'resolved' : severity;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return truncate(line, 600);
}
