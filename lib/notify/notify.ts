import { RetryableError } from '../errors.ts';
import type { JobResult, RunContext } from '../with-guard.ts';
import { type Alert, decideNotify, describeAlert, type NotifyInput } from './alert.ts';
import type { Channel, NotifyLedger, SlackPort, SnsPort } from './ports.ts';
import { renderSlackMessage } from './slack-message.ts';
import { buildSnsMessage } from './sns-message.ts';
import { planStorm, STORM_WINDOW_MINUTES, stormSummaryAlert, windowsToFlush } from './storm.ts';

/** What the notifier talks to. */
export interface NotifyDeps {
  sns: SnsPort;
  slack: SlackPort;
  ledger: NotifyLedger;
  stormWindowMinutes?: number;
}

type Ctx = Pick<RunContext, 'remainingMs'>;

/**
 * The notify use case: decide whether the input gets a message (owned failures do not, see
 * `alert.ts`), collapse storms (see `storm.ts`), deliver to SNS then Slack exactly once per
 * channel, then flush the counts of storm windows that ended without a later alert.
 *
 * Exactly once per channel: each channel's delivery is recorded in the ledger under the message
 * id (the event id) right after the channel accepted it, and skipped when already recorded. So a
 * retry after Slack failed does not publish to SNS again. Slack errors propagate: 429 beyond the
 * remaining time, 5xx and network errors are retryable (Lambda retries, then the DLQ keeps the
 * event); other 4xx are terminal (the handler reports them through SNS directly).
 */
export async function notify(input: NotifyInput, deps: NotifyDeps, ctx: Ctx): Promise<JobResult> {
  const decision = decideNotify(input);
  if (!decision.notify) return { outcome: 'noop', reason: decision.reason };
  const alert = describeAlert(input);
  const result = await handleAlert(alert, deps, ctx);
  const flushed = await flushEndedStorms(alert, deps, ctx);
  return flushed > 0 ? { ...result, stormsFlushed: flushed } : result;
}

async function handleAlert(alert: Alert, deps: NotifyDeps, ctx: Ctx): Promise<JobResult> {
  const minutes = deps.stormWindowMinutes ?? STORM_WINDOW_MINUTES;
  // The window item can change between read and write (a concurrent alert for the same key):
  // conditional writes detect it and the plan is made again on fresh state.
  for (let attempt = 0; attempt < 3; attempt++) {
    const window = await deps.ledger.getStorm(alert.dedupKey);
    const plan = planStorm(window, alert, minutes);
    if (plan.action === 'collapse') {
      if (
        await deps.ledger.collapseIntoStorm(alert.dedupKey, window!.windowStart, alert.messageId, alert.time)
      ) {
        return {
          outcome: 'deferred',
          reason: `collapsed into the storm of "${alert.title}" alerts; the count goes out with the next message after ${plan.windowEnd}`,
          severity: alert.severity,
        };
      }
      continue;
    }
    if (plan.open) {
      const { details: _omitted, storm: _none, ...sample } = alert;
      const opened = await deps.ledger.openStorm(
        {
          key: alert.dedupKey,
          windowStart: alert.time,
          windowEventId: alert.messageId,
          suppressed: 0,
          suppressedIds: [],
          collapsedTotal: window?.collapsedTotal ?? 0,
          ...(plan.storm ? { reported: plan.storm } : {}),
          sample,
        },
        window,
      );
      if (!opened) continue;
    }
    const message: Alert = plan.storm ? { ...alert, storm: plan.storm } : alert;
    const sent = await deliver(message, deps, ctx);
    if (sent.length === 0) return { outcome: 'noop', reason: 'already delivered on every channel' };
    return {
      outcome: 'acted',
      reason: `${alert.severity} alert "${alert.title}" sent to ${sent.join(' and ')}${plan.storm ? ` with ${plan.storm.count} collapsed` : ''}`,
      severity: alert.severity,
      channels: sent,
    };
  }
  throw new RetryableError(`the storm window of ${alert.dedupKey} kept changing; try again`);
}

/** Sends to each channel that has not had this message yet. SNS first: it never rate-limits us. */
async function deliver(alert: Alert, deps: NotifyDeps, ctx: Ctx): Promise<Channel[]> {
  const sent: Channel[] = [];
  const channels: [Channel, () => Promise<void>][] = [
    ['sns', () => deps.sns.publish(buildSnsMessage(alert))],
    ['slack', () => deps.slack.post(renderSlackMessage(alert), ctx)],
  ];
  for (const [channel, send] of channels) {
    if (await deps.ledger.wasDelivered(alert.messageId, channel)) continue;
    await send();
    await deps.ledger.recordDelivery(alert.messageId, channel, alert.time);
    sent.push(channel);
  }
  return sent;
}

async function flushEndedStorms(current: Alert, deps: NotifyDeps, ctx: Ctx): Promise<number> {
  const minutes = deps.stormWindowMinutes ?? STORM_WINDOW_MINUTES;
  const pending = await deps.ledger.listPendingStorms();
  const ended = windowsToFlush(pending, current.time, current.dedupKey, minutes);
  for (const window of ended) {
    await deliver(stormSummaryAlert(window), deps, ctx);
    await deps.ledger.markStormReported(window);
  }
  return ended.length;
}
