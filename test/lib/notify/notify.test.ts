import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyLedger } from '../../../lib/aws/notify-ledger.ts';
import { SlackRejectedError, SlackUnavailableError } from '../../../lib/aws/slack.ts';
import { notify } from '../../../lib/notify/notify.ts';
import type { SlackPort, SnsPort } from '../../../lib/notify/ports.ts';
import type { SlackMessage } from '../../../lib/notify/slack-message.ts';
import type { SnsMessage } from '../../../lib/notify/sns-message.ts';
import { createGuardTables, type LocalDynamoDB, startDynamoDB } from '../../../sandbox/dynamodb.ts';
import { inputFrom, type RawEvent } from './support.ts';

let db: LocalDynamoDB;
let table = 0;

beforeAll(async () => {
  db = await startDynamoDB();
});
afterAll(async () => db.close());

/** Fresh tables per test, recording channels, programmable Slack failures. */
async function setup() {
  table++;
  const names = { idempotency: `notify-idem-${table}`, ledger: `notify-ledger-${table}` };
  await createGuardTables(db.client, names);
  const snsSent: SnsMessage[] = [];
  const slackSent: SlackMessage[] = [];
  const slackFailures: Error[] = [];
  const sns: SnsPort = {
    publish: async (m) => {
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
  const deps = { sns, slack, ledger: createNotifyLedger(db.client, names.ledger), stormWindowMinutes: 10 };
  const run = (input: ReturnType<typeof inputFrom>) => notify(input, deps, { remainingMs: () => 60_000 });
  return { run, snsSent, slackSent, slackFailures };
}

/** An unowned failure (alerted directly) with its own id and time. */
function pauseFailed(id: string, time: string, change?: (raw: RawEvent) => void) {
  return inputFrom('apprunner-operation/pause-service-failed', (raw) => {
    raw.id = id;
    raw.time = time;
    change?.(raw);
  });
}

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
        outcome: 'deferred',
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
});
