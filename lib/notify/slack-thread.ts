/**
 * Delivery to the Slack app (app mode; docs/architecture.md, "Slack threads"): one thread per
 * incident, its parent kept current with `chat.update`, each step a reply, posted exactly once.
 *
 * Each Slack call is followed by its record in the ledger, so a later attempt (after Slack's
 * `Retry-After`, a fault or a crash) skips what was done: the parent's ts is recorded by the
 * delivery that opened the incident, each reply under its message id, and the parent's update is
 * idempotent (it shows the latest step; an older step arriving late does not roll it back). A
 * rate-limited method throws `RetryAfterError`: the notifier's queue brings the alert back then.
 */
import { RetryableError } from '../core/errors.ts';
import type { Alert } from './alert.ts';
import {
  changesState,
  renderIncidentParent,
  routeSlackAlert,
  type SlackRouting,
  stateOf,
  stepOf,
} from './incident.ts';
import type { Incident, IncidentLedger, SlackAppPort } from './ports.ts';
import { renderSlackMessage } from './slack-message.ts';

/** How long an incident claimed without a parent holds back the service's other steps. */
export const STALE_CLAIM_MS = 10 * 60_000;

const fresh = (alert: Alert, channel: string): Omit<Incident, 'key'> => ({
  openerId: alert.messageId,
  openedAt: alert.time,
  channel,
  steps: [],
});

/** What app-mode delivery talks to. */
export interface SlackAppDelivery {
  client: SlackAppPort;
  routing: SlackRouting;
}

/** What happened to an alert in Slack (for the job's result). */
export type SlackAppOutcome =
  | { kind: 'dropped'; reason: string }
  | { kind: 'posted'; channel: string; ts: string }
  | { kind: 'threaded'; channel: string; threadTs: string; opened: boolean; resolved: boolean };

/**
 * Delivers one alert in app mode. Throws what Slack or the ledger threw; everything done before
 * is recorded, so the retry continues where this attempt stopped.
 */
export async function deliverToSlackApp(
  alert: Alert,
  app: SlackAppDelivery,
  ledger: IncidentLedger,
): Promise<SlackAppOutcome> {
  const key = alert.service?.arn;
  let incident = key ? await ledger.getIncident(key) : undefined;
  // A retry of the step that resolved the incident still belongs to it.
  if (incident?.closedAt && incident.steps.some((s) => s.id === alert.messageId)) {
    const { closedAt: _resolved, ...reopened } = incident;
    incident = reopened;
  }
  const route = routeSlackAlert(alert, incident, app.routing);
  if (route.kind === 'drop') return { kind: 'dropped', reason: route.reason };
  if (route.kind === 'post') {
    const message = renderSlackMessage(alert, {
      actions: true,
      ...(route.mention ? { mention: route.mention } : {}),
    });
    const posted = await app.client.postMessage({
      channel: route.channel,
      text: message.text,
      blocks: message.blocks,
    });
    return { kind: 'posted', channel: posted.channel, ts: posted.ts };
  }

  let opened = false;
  if (route.open) {
    const claim = { ...fresh(alert, route.channel), key: route.key };
    if (!(await ledger.openIncident(claim, incident))) {
      throw new RetryableError(
        `another alert opened the incident of ${alert.service?.name} meanwhile; try again`,
      );
    }
    incident = claim;
  }
  let current = incident!;
  let threadTs = current.threadTs;
  if (threadTs === undefined && current.openerId !== alert.messageId) {
    // The opener has not posted the parent yet (it is being retried): come back after it. A claim
    // whose parent never came (Slack refused it for good) is taken over after a while, so the
    // service's later steps are not held back by it.
    const waited = Date.parse(alert.time) - Date.parse(current.openedAt);
    const takeover: Incident = { ...fresh(alert, current.channel), key: current.key };
    if (waited < STALE_CLAIM_MS || !(await ledger.openIncident(takeover, current))) {
      throw new RetryableError(`the parent message of ${alert.service?.name}'s incident is not posted yet`);
    }
    current = takeover;
  }
  if (threadTs === undefined) {
    const state = stateOf(alert);
    const parent = renderIncidentParent(
      state,
      { openedAt: current.openedAt, steps: [stepOf(alert)] },
      { resolved: route.closes, ...(route.mention ? { mention: route.mention } : {}) },
    );
    const posted = await app.client.postMessage({
      channel: current.channel,
      text: parent.text,
      blocks: parent.blocks,
    });
    threadTs = posted.ts;
    await ledger.setIncidentThread(current.key, current.openerId, threadTs);
    await ledger.recordParentShown(current.key, current.openerId, alert.time, state);
    current = { ...current, threadTs, shownTime: alert.time, state };
    opened = true;
  }

  if (!current.steps.some((s) => s.id === alert.messageId)) {
    const reply = renderSlackMessage(alert, {
      actions: true,
      // The parent of a new incident already mentioned the group.
      ...(route.mention && !opened ? { mention: route.mention } : {}),
    });
    await app.client.postMessage({
      channel: current.channel,
      threadTs,
      text: reply.text,
      blocks: reply.blocks,
    });
    current = await ledger.recordIncidentStep(current.key, current.openerId, stepOf(alert), route.closes);
  }

  // The parent shows the state of the latest step that set one, and lists every step: a late,
  // older step or a side step (a Slack action refused or changing nothing) is listed, the state
  // stays. A parent just posted already shows this step.
  if (!opened) {
    const shown = current.shownTime;
    const latest = changesState(alert) && (shown === undefined || shown <= alert.time);
    const state = latest ? stateOf(alert) : (current.state ?? stateOf(alert));
    const parent = renderIncidentParent(state, current, {
      resolved: latest ? route.closes : current.closedAt !== undefined,
    });
    await app.client.updateMessage({
      channel: current.channel,
      ts: threadTs,
      text: parent.text,
      blocks: parent.blocks,
    });
    if (latest) await ledger.recordParentShown(current.key, current.openerId, alert.time, state);
  }
  return { kind: 'threaded', channel: current.channel, threadTs, opened, resolved: route.closes };
}
