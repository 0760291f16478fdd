import { classifyError, RetryableError } from '../core/errors.ts';
import type { JobResult, RunContext } from '../core/handler-stack.ts';
import { SCHEDULED_TIME, type WakeUps } from '../core/ports/wake-ups.ts';
import type { NotifyPayload } from '../events/scheduler.ts';
import { type Alert, decideNotify, describeAlert, type NotifyInput } from './alert.ts';
import type { Channel, NotifyLedger, SlackPort, SnsPort } from './ports.ts';
import { renderSlackMessage } from './slack-message.ts';
import { deliverToSlackApp, type SlackAppDelivery, type SlackAppOutcome } from './slack-thread.ts';
import { buildSnsMessage } from './sns-message.ts';
import {
  planStorm,
  planStormFlush,
  STORM_WINDOW_MINUTES,
  type StormWindow,
  stormSummaryAlert,
  windowsToFlush,
} from './storm.ts';

/** What the notifier talks to. */
export interface NotifyDeps {
  sns: SnsPort;
  /** Webhook mode: the incoming webhook (one message per alert, one channel). */
  slack: SlackPort;
  /**
   * App mode: the Slack app (threads per incident, routing by severity, buttons). When set, the
   * `slack` channel goes through it instead of the webhook.
   */
  slackApp?: SlackAppDelivery;
  ledger: NotifyLedger;
  /** Wakes the notifier at a storm window's end to report its count. */
  wakeUps: WakeUps;
  stormWindowMinutes?: number;
}

type Ctx = Pick<RunContext, 'remainingMs'>;

/**
 * The notify use case: decide whether the input gets a message (owned failures do not, see
 * `alert.ts`), collapse storms (see `storm.ts`), deliver to SNS and Slack exactly once per
 * channel, then flush the counts of storm windows that ended without a later alert. A
 * `flush-storms` payload (the storm wake-up, see `storm.ts`) only flushes.
 *
 * Channels are independent (docs/architecture.md, "Time"): each is tried whatever the other did,
 * and each delivery is recorded in the ledger under the message id (the event id) right after the
 * channel accepted it, so a later attempt sends only to the channel that failed. When one failed,
 * its error is thrown after both were tried: Slack's 429 as "retry after" Slack's `Retry-After`,
 * 5xx, timeouts and SNS throttling (KMS included) as retryable (the queue's backoff), other 4xx as
 * terminal (reported through SNS directly).
 */
export async function notify(
  input: NotifyInput | NotifyPayload,
  deps: NotifyDeps,
  ctx: Ctx,
): Promise<JobResult> {
  if ('action' in input) return flushStorms(input, deps, ctx);
  const decision = decideNotify(input);
  if (!decision.notify) return { outcome: 'noop', reason: decision.reason };
  const alert = describeAlert(input);
  const result = await handleAlert(alert, deps, ctx);
  const flushed = await flushEndedStorms(alert.time, alert.dedupKey, deps, ctx);
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
      const open = window!;
      if (
        await deps.ledger.collapseIntoStorm(alert.dedupKey, open.windowStart, alert.messageId, alert.time)
      ) {
        const flush = await scheduleFlush(open, alert, deps);
        return {
          outcome: 'collapsed',
          reason: `collapsed into the storm of "${alert.title}" alerts; the count goes out when the window ends at ${plan.windowEnd}`,
          severity: alert.severity,
          ...(flush ? { flushSchedule: flush } : {}),
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
    const { sent, slack } = await deliver(message, deps, ctx);
    if (sent.length === 0) return { outcome: 'noop', reason: 'already delivered on every channel' };
    const dropped = slack?.kind === 'dropped' ? ` (Slack: not posted, ${slack.reason})` : '';
    return {
      outcome: 'acted',
      reason: `${alert.severity} alert "${alert.title}" sent to ${sent.join(' and ')}${plan.storm ? ` with ${plan.storm.count} collapsed` : ''}${dropped}`,
      severity: alert.severity,
      channels: sent,
      ...(slack ? { slack } : {}),
    };
  }
  throw new RetryableError(`the storm window of ${alert.dedupKey} kept changing; try again`);
}

/**
 * Sends to each channel that has not had this message yet, each independently of the other.
 * Returns the channels sent to (and, in app mode, where Slack put it); throws when a channel failed,
 * after the others were tried.
 */
async function deliver(
  alert: Alert,
  deps: NotifyDeps,
  ctx: Ctx,
): Promise<{ sent: Channel[]; slack?: SlackAppOutcome }> {
  const sent: Channel[] = [];
  let slack: SlackAppOutcome | undefined;
  const failures: { channel: Channel; error: unknown }[] = [];
  const channels: [Channel, () => Promise<void>][] = [
    ['sns', () => deps.sns.publish(buildSnsMessage(alert))],
    [
      'slack',
      async () => {
        if (deps.slackApp) slack = await deliverToSlackApp(alert, deps.slackApp, deps.ledger);
        else await deps.slack.post(renderSlackMessage(alert), ctx);
      },
    ],
  ];
  for (const [channel, send] of channels) {
    if (await deps.ledger.wasDelivered(alert.messageId, channel)) continue;
    try {
      await send();
    } catch (error) {
      failures.push({ channel, error });
      continue;
    }
    await deps.ledger.recordDelivery(alert.messageId, channel, alert.time);
    sent.push(channel);
  }
  if (failures.length > 0) throw deliveryFailure(failures);
  return { sent, ...(slack ? { slack } : {}) };
}

/**
 * The error for a delivery where some channel failed: one worth retrying wins over a terminal one
 * (the retry sends only to channels not yet recorded); a retry-after keeps its delay.
 */
function deliveryFailure(failures: { channel: Channel; error: unknown }[]): unknown {
  return (failures.find((f) => classifyError(f.error) !== 'terminal') ?? failures[0]!).error;
}

/**
 * Asks to be woken when the window ends, to report its count, when `alert` is the first one
 * collapsed since the count was last reported. Idempotent: the wake-up's key is deterministic, so
 * a second request is the same schedule. A window that already ended (a late event) is reported a
 * minute from now: a wake-up is never in the past. Returns the schedule's name, if one was due.
 */
async function scheduleFlush(
  window: StormWindow,
  alert: Alert,
  deps: NotifyDeps,
): Promise<string | undefined> {
  const flush = planStormFlush(window, alert, deps.stormWindowMinutes ?? STORM_WINDOW_MINUTES);
  if (!flush) return undefined;
  const wake = await deps.wakeUps.wakeAt({
    job: 'notify',
    key: flush.key,
    at: new Date(flush.at),
    now: new Date(alert.time),
    payload: { action: 'flush-storms', scheduledTime: SCHEDULED_TIME },
    description: `apprunner-guard: storm summary of ${window.key} (window from ${window.windowStart})`,
  });
  return wake.name;
}

/**
 * The storm wake-up fired: sends the summary of every window that has ended by the scheduled time
 * and still has an unreported count. A window whose count a later alert already carried has
 * none, so a timer that comes after that sends nothing.
 */
async function flushStorms(payload: NotifyPayload, deps: NotifyDeps, ctx: Ctx): Promise<JobResult> {
  const flushed = await flushEndedStorms(payload.scheduledTime, undefined, deps, ctx);
  if (flushed === 0) {
    return { outcome: 'noop', reason: 'no storm count left to report: later alerts already carried them' };
  }
  return {
    outcome: 'acted',
    reason: `sent ${flushed} storm summar${flushed === 1 ? 'y' : 'ies'}`,
    stormsFlushed: flushed,
  };
}

async function flushEndedStorms(
  now: string,
  exceptKey: string | undefined,
  deps: NotifyDeps,
  ctx: Ctx,
): Promise<number> {
  const minutes = deps.stormWindowMinutes ?? STORM_WINDOW_MINUTES;
  const pending = await deps.ledger.listPendingStorms();
  const ended = windowsToFlush(pending, now, exceptKey, minutes);
  for (const window of ended) {
    await deliver(stormSummaryAlert(window), deps, ctx);
    await deps.ledger.markStormReported(window);
  }
  return ended.length;
}
