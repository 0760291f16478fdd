import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../../lib/aws/errors.ts';
import { createNotifyLedger } from '../../../lib/aws/notify-ledger.ts';
import { createWakeUps, type OneTimeSchedule } from '../../../lib/aws/scheduler.ts';
import { SlackRateLimitedError, SlackRejectedError, SlackUnavailableError } from '../../../lib/aws/slack.ts';
import { classifyError, type RetryAfterError, RetryableError } from '../../../lib/core/errors.ts';
import { notify } from '../../../lib/notify/notify.ts';
import type { SlackPort, SnsPort } from '../../../lib/notify/ports.ts';
import type { SlackMessage } from '../../../lib/notify/slack-message.ts';
import type { SnsMessage } from '../../../lib/notify/sns-message.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';
import { sdkError } from '../../support/sdk-errors.ts';
import { inputFrom, type RawEvent } from './support.ts';

let table = 0;

const db = useDynamoDB();

/** Fresh tables per test, recording channels, programmable Slack failures. */
async function setup() {
  table++;
  const names = { idempotency: `notify-idem-${table}`, ledger: `notify-ledger-${table}` };
  await db.createTables(names);
  const snsSent: SnsMessage[] = [];
  const slackSent: SlackMessage[] = [];
  const slackFailures: Error[] = [];
  const snsFailures: Error[] = [];
  const sns: SnsPort = {
    publish: async (m) => {
      const failure = snsFailures.shift();
      if (failure) throw failure;
      snsSent.push(m);
    },
  };
  const slack: SlackPort = {
    post: async (m) => {
      const failure = slackFailures.shift();
      if (failure) throw failure;
      slackSent.push(m);
    },
  };
  /** Schedules by name, as Scheduler keeps them: creating an existing name changes nothing. */
  const schedules = new Map<string, OneTimeSchedule>();
  const scheduler = {
    createOneTime: async (schedule: OneTimeSchedule) => {
      if (schedules.has(schedule.name)) return { created: false };
      schedules.set(schedule.name, schedule);
      return { created: true };
    },
  };
  const deps = {
    sns,
    slack,
    ledger: createNotifyLedger(db.client, names.ledger),
    // The real wake-up adapter on a fake schedule store, clamping against the trigger's time.
    wakeUps: createWakeUps(scheduler, { targets: { notify: NOTIFY_ARN }, now: () => 0 }),
    stormWindowMinutes: 10,
  };
  const run = (input: Parameters<typeof notify>[0]) => notify(input, deps, { remainingMs: () => 60_000 });
  /** The storm timer firing at `scheduledTime`. */
  const flush = (scheduledTime: string) => run({ action: 'flush-storms', scheduledTime });
  return { run, flush, snsSent, slackSent, slackFailures, snsFailures, schedules };
}

/** An unowned failure (alerted directly) with its own id and time. */
function pauseFailed(id: string, time: string, change?: (raw: RawEvent) => void) {
  return inputFrom('apprunner-operation/pause-service-failed', (raw) => {
    raw.id = id;
    raw.time = time;
    change?.(raw);
  });
}

const NOTIFY_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:apprunner-guard-test-notify';

const cleanupFailed = (id: string, time: string) =>
  inputFrom('guard/cleanup-failed', (raw) => {
    raw.id = id;
    raw.time = time;
  });

describe('notify use case', () => {
  it('sends nothing for a failure the rollback job reports with its outcome', async () => {
    const { run, snsSent, slackSent } = await setup();
    await expect(run(inputFrom('apprunner-operation/deployment-failed'))).resolves.toEqual({
      outcome: 'noop',
      reason: 'reported with the rollback outcome',
    });
    await expect(run(inputFrom('apprunner-status/create-failed'))).resolves.toEqual({
      outcome: 'noop',
      reason: 'reported with the cleanup outcome',
    });
    expect(snsSent).toEqual([]);
    expect(slackSent).toEqual([]);
  });

  it('sends one SNS and one Slack message for the rollback outcome', async () => {
    const { run, snsSent, slackSent } = await setup();
    const result = await run(inputFrom('guard/rollback-completed'));
    expect(result).toMatchObject({ outcome: 'acted', severity: 'info', channels: ['sns', 'slack'] });
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(1);
    expect(snsSent[0]!.attributes).toMatchObject({ job: 'rollback', status: 'acted' });
    expect(slackSent[0]!.text).toContain('Rollback Completed: payments-api');
  });

  it('after Slack failed, the retry sends to Slack only: SNS is not published twice', async () => {
    const { run, snsSent, slackSent, slackFailures } = await setup();
    slackFailures.push(new SlackUnavailableError('Slack webhook answered HTTP 503'));
    const input = inputFrom('guard/rollback-failed');
    await expect(run(input)).rejects.toThrow('HTTP 503');
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(0);

    await expect(run(input)).resolves.toMatchObject({ outcome: 'acted', channels: ['slack'] });
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(1);

    // A third run of the same message (e.g. the idempotency record was lost) sends nothing.
    await expect(run(input)).resolves.toEqual({
      outcome: 'noop',
      reason: 'already delivered on every channel',
    });
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(1);
  });

  it('Slack down for a while: SNS once at once, Slack once when it is back (retry after its Retry-After)', async () => {
    const { run, snsSent, slackSent, slackFailures } = await setup();
    const input = inputFrom('guard/rollback-failed');
    slackFailures.push(new SlackRateLimitedError('Slack rate-limited the webhook (HTTP 429)', 120));
    const first = await failureOf(run(input));
    expect(classifyError(first)).toBe('retry-after');
    expect((first as RetryAfterError).delaySeconds).toBe(120);
    for (let i = 0; i < 5; i++)
      slackFailures.push(new SlackUnavailableError('Slack webhook answered HTTP 503'));
    for (let i = 0; i < 5; i++) await expect(run(input)).rejects.toThrow('HTTP 503');
    await expect(run(input)).resolves.toMatchObject({ outcome: 'acted', channels: ['slack'] });
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(1);
  });

  it('SNS throttled by KMS does not block Slack: Slack at once, SNS only on the retry', async () => {
    const { run, snsSent, slackSent, snsFailures } = await setup();
    const kmsThrottled = translateAwsError(sdkError('KMSThrottlingException', 'KMS throttled the request'));
    expect(classifyError(kmsThrottled)).toBe('retryable');
    snsFailures.push(kmsThrottled);
    const input = inputFrom('guard/rollback-failed');
    await expect(run(input)).rejects.toBe(kmsThrottled);
    expect(snsSent).toHaveLength(0);
    expect(slackSent).toHaveLength(1);

    await expect(run(input)).resolves.toMatchObject({ outcome: 'acted', channels: ['sns'] });
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(1);
  });

  it('both channels failing: the retryable failure is thrown, so both are tried again', async () => {
    const { run, snsSent, slackSent, snsFailures, slackFailures } = await setup();
    snsFailures.push(new RetryableError('SNS answered 503', { reason: 'server' }));
    slackFailures.push(new SlackRejectedError(404, 'no_service'), new SlackRejectedError(404, 'no_service'));
    const input = inputFrom('guard/rollback-failed');
    await expect(run(input)).rejects.toThrow('SNS answered 503');
    await expect(failureOf(run(input))).resolves.toBeInstanceOf(SlackRejectedError);
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(0);
  });

  it('lets a terminal Slack rejection propagate after SNS got the alert', async () => {
    const { run, snsSent, slackFailures } = await setup();
    slackFailures.push(new SlackRejectedError(404, 'no_service'));
    await expect(run(inputFrom('guard/cleanup-failed'))).rejects.toBeInstanceOf(SlackRejectedError);
    expect(snsSent).toHaveLength(1);
  });

  it('collapses a storm into one message with a count, and loses nothing', async () => {
    const { run, snsSent, slackSent } = await setup();
    await expect(run(pauseFailed('e1', '2026-11-20T14:00:00Z'))).resolves.toMatchObject({ outcome: 'acted' });
    for (const [i, minute] of [1, 4, 9].entries()) {
      const result = await run(pauseFailed(`e${i + 2}`, `2026-11-20T14:0${minute}:00Z`));
      expect(result).toMatchObject({
        outcome: 'collapsed',
        reason: expect.stringMatching(/^collapsed into the storm/),
      });
    }
    // The same collapsed alert delivered again is not counted twice.
    await run(pauseFailed('e3', '2026-11-20T14:04:00Z'));
    expect(snsSent).toHaveLength(1);
    expect(slackSent).toHaveLength(1);

    // The next alert after the window carries the count and opens the next window.
    await expect(run(pauseFailed('e9', '2026-11-20T14:25:00Z'))).resolves.toMatchObject({
      outcome: 'acted',
      reason: expect.stringContaining('with 3 collapsed'),
    });
    expect(snsSent).toHaveLength(2);
    expect(JSON.parse(snsSent[1]!.message).storm).toEqual({
      count: 3,
      from: '2026-11-20T14:01:00Z',
      to: '2026-11-20T14:09:00Z',
    });
    expect(slackSent[1]!.text).toContain('3 more alerts like this');

    // …and the count was reset: the next window starts from zero.
    await run(pauseFailed('e10', '2026-11-20T14:26:00Z'));
    await run(pauseFailed('e11', '2026-11-20T14:40:00Z'));
    expect(JSON.parse(snsSent[2]!.message).storm).toEqual({
      count: 1,
      from: '2026-11-20T14:26:00Z',
      to: '2026-11-20T14:26:00Z',
    });
  });

  it('flushes the count of a storm that stopped with the next alert for anything else', async () => {
    const { run, snsSent, slackSent } = await setup();
    await run(pauseFailed('p1', '2026-11-20T14:00:00Z'));
    await run(pauseFailed('p2', '2026-11-20T14:02:00Z'));
    await run(pauseFailed('p3', '2026-11-20T14:03:00Z'));
    expect(snsSent).toHaveLength(1);

    // A different key, after the pause-failure window ended.
    const result = await run(cleanupFailed('c1', '2026-11-20T15:00:00Z'));
    expect(result).toMatchObject({ outcome: 'acted', stormsFlushed: 1 });
    expect(snsSent.map((m) => m.subject)).toEqual([
      expect.stringMatching(/Pause failed/),
      expect.stringMatching(/Cleanup Failed/),
      expect.stringMatching(/Storm summary, Pause failed/),
    ]);
    expect(JSON.parse(snsSent[2]!.message)).toMatchObject({ severity: 'warning', storm: { count: 2 } });
    expect(slackSent).toHaveLength(3);

    // Reported once: the next run has nothing left to flush.
    await run(cleanupFailed('c2', '2026-11-20T16:00:00Z'));
    expect(snsSent).toHaveLength(4);
  });

  it('never collapses an escalation: another severity is another key', async () => {
    const { run, snsSent } = await setup();
    await run(pauseFailed('s1', '2026-11-20T14:00:00Z'));
    const resume = inputFrom('apprunner-operation/resume-service-failed', (raw) => {
      raw.id = 's2';
      raw.time = '2026-11-20T14:01:00Z';
    });
    await expect(run(resume)).resolves.toMatchObject({ outcome: 'acted', severity: 'critical' });
    expect(snsSent).toHaveLength(2);
  });

  it('keeps different services apart', async () => {
    const { run, snsSent } = await setup();
    await run(pauseFailed('a1', '2026-11-20T14:00:00Z'));
    await run(
      pauseFailed('a2', '2026-11-20T14:01:00Z', (raw) => {
        const arn =
          'arn:aws:apprunner:us-east-1:111122223333:service/checkout-web/3c9d4f2a1b0e47d8a6c5b4e3d2f1a0b9';
        raw.resources = [arn];
        raw.detail.ServiceName = 'checkout-web';
        raw.detail.ServiceId = '3c9d4f2a1b0e47d8a6c5b4e3d2f1a0b9';
      }),
    );
    expect(snsSent.map((m) => m.attributes.service)).toEqual(['payments-api', 'checkout-web']);
  });

  it('a retried storm opener reports the same count it reported the first time', async () => {
    const { run, snsSent, slackSent, slackFailures } = await setup();
    await run(pauseFailed('r1', '2026-11-20T14:00:00Z'));
    await run(pauseFailed('r2', '2026-11-20T14:05:00Z'));
    slackFailures.push(new SlackUnavailableError('Slack webhook answered HTTP 500'));
    const opener = pauseFailed('r3', '2026-11-20T14:20:00Z');
    await expect(run(opener)).rejects.toThrow('HTTP 500');
    await run(opener);
    expect(snsSent).toHaveLength(2);
    expect(slackSent).toHaveLength(2);
    expect(JSON.parse(snsSent[1]!.message).storm).toMatchObject({ count: 1 });
    expect(slackSent[1]!.text).toContain('1 more alert like this');
  });

  it('the first collapsed alert sets a timer at the window end that targets the notifier; later ones do not', async () => {
    const { run, schedules } = await setup();
    await run(pauseFailed('t1', '2026-11-20T14:00:00Z'));
    expect(schedules.size).toBe(0);
    const first = await run(pauseFailed('t2', '2026-11-20T14:02:00Z'));
    expect(first).toMatchObject({
      outcome: 'collapsed',
      reason: expect.stringContaining('the count goes out when the window ends at 2026-11-20T14:10:00.000Z'),
      flushSchedule: expect.stringMatching(/^notify-storm-[0-9a-f]{40}$/),
    });
    await expect(run(pauseFailed('t3', '2026-11-20T14:03:00Z'))).resolves.not.toHaveProperty('flushSchedule');
    // The first collapsed alert delivered again names the same schedule: nothing new.
    await run(pauseFailed('t2', '2026-11-20T14:02:00Z'));
    expect([...schedules.values()]).toEqual([
      {
        name: first.flushSchedule,
        at: new Date('2026-11-20T14:11:00Z'),
        targetArn: NOTIFY_ARN,
        input: { action: 'flush-storms', scheduledTime: '<aws.scheduler.scheduled-time>' },
        description: expect.stringContaining('storm summary'),
      },
    ]);
  });

  it('when the timer fires, a storm that stopped is summarized once per channel, with no other alert', async () => {
    const { run, flush, snsSent, slackSent, slackFailures } = await setup();
    await run(pauseFailed('f1', '2026-11-20T14:00:00Z'));
    await run(pauseFailed('f2', '2026-11-20T14:02:00Z'));
    await run(pauseFailed('f3', '2026-11-20T14:05:00Z'));

    // Slack is down at the first try: the retry posts to Slack only.
    slackFailures.push(new SlackUnavailableError('Slack webhook answered HTTP 503'));
    await expect(flush('2026-11-20T14:11:00Z')).rejects.toThrow('HTTP 503');
    await expect(flush('2026-11-20T14:11:00Z')).resolves.toEqual({
      outcome: 'acted',
      reason: 'sent 1 storm summary',
      stormsFlushed: 1,
    });
    expect(snsSent.map((m) => m.subject)).toEqual([
      expect.stringMatching(/Pause failed/),
      expect.stringMatching(/Storm summary, Pause failed/),
    ]);
    expect(JSON.parse(snsSent[1]!.message).storm).toEqual({
      count: 2,
      from: '2026-11-20T14:02:00Z',
      to: '2026-11-20T14:05:00Z',
    });
    expect(slackSent).toHaveLength(2);
    expect(slackSent[1]!.text).toContain('Storm summary');

    // Reported: another firing, or the next alert, has nothing left to carry.
    await expect(flush('2026-11-20T14:11:00Z')).resolves.toMatchObject({ outcome: 'noop' });
    await run(pauseFailed('f4', '2026-11-20T14:30:00Z'));
    expect(snsSent).toHaveLength(3);
    expect(JSON.parse(snsSent[2]!.message).storm).toBeNull();
  });

  it('a timer that fires after a later alert carried the count sends nothing', async () => {
    const { run, flush, snsSent, slackSent } = await setup();
    await run(pauseFailed('l1', '2026-11-20T14:00:00Z'));
    await run(pauseFailed('l2', '2026-11-20T14:04:00Z'));
    await run(pauseFailed('l3', '2026-11-20T14:10:30Z'));
    expect(JSON.parse(snsSent[1]!.message).storm).toMatchObject({ count: 1 });

    await expect(flush('2026-11-20T14:11:00Z')).resolves.toEqual({
      outcome: 'noop',
      reason: 'no storm count left to report: later alerts already carried them',
    });
    expect(snsSent).toHaveLength(2);
    expect(slackSent).toHaveLength(2);
  });

  it('a timer does not flush a window that has not ended yet', async () => {
    const { run, flush, snsSent } = await setup();
    await run(pauseFailed('w1', '2026-11-20T14:00:00Z'));
    await run(pauseFailed('w2', '2026-11-20T14:01:00Z'));
    // Another storm's timer, due before this window ends.
    await expect(flush('2026-11-20T14:09:00Z')).resolves.toMatchObject({ outcome: 'noop' });
    expect(snsSent).toHaveLength(1);
  });
});

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
