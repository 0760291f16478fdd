/**
 * App mode end to end below the handler: the notify use case with the real notify ledger
 * (dynalite), the real Slack app client, and the sandbox's Slack Web API stand-in on a loopback
 * port. What on-call reads: one thread per incident whose parent says the state now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyLedger } from '../../../lib/aws/notify-ledger.ts';
import { createSlackAppClient } from '../../../lib/aws/slack-app.ts';
import { classifyError, RetryAfterError } from '../../../lib/core/errors.ts';
import type { SlackRouting } from '../../../lib/notify/incident.ts';
import { notify } from '../../../lib/notify/notify.ts';
import { type LocalServer, listen } from '../../../sandbox/http.ts';
import { SlackApiStandIn } from '../../../sandbox/slack-api.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';
import { inputFrom, type RawEvent } from './support.ts';

const TOKEN = 'xoxb-test-0123456789-abcdef';
const db = useDynamoDB();
let server: LocalServer;
let current: SlackApiStandIn | undefined;
let table = 0;

beforeAll(async () => {
  server = await listen((req) => current!.handle(req));
});
afterAll(() => server.close());

const ROUTING: SlackRouting = {
  oncallChannel: 'C0ONCALL',
  infoChannel: 'C0INFO',
  criticalMention: 'S0ONCALL',
};

async function setup(routing: SlackRouting = ROUTING) {
  table++;
  const names = { idempotency: `thread-idem-${table}`, ledger: `thread-ledger-${table}` };
  await db.createTables(names);
  let now = Date.parse('2026-11-20T14:04:00Z');
  const api = new SlackApiStandIn({ token: TOKEN, channels: ['C0ONCALL', 'C0INFO'], now: () => now });
  current = api;
  const client = createSlackAppClient({
    token: { get: async () => TOKEN, invalidate: () => {} },
    baseUrl: `${server.url}/api/`,
    now: () => now,
  });
  const deps = {
    sns: { publish: async () => {} },
    slack: {
      post: async () => {
        throw new Error('app mode must not use the webhook');
      },
    },
    slackApp: { client, routing },
    ledger: createNotifyLedger(db.client, names.ledger),
    wakeUps: {
      wakeAt: async () => ({ name: 'x', created: true, at: new Date() }),
    } as unknown as Parameters<typeof notify>[1]['wakeUps'],
  };
  const run = (input: Parameters<typeof notify>[0]) => notify(input, deps, { remainingMs: () => 60_000 });
  const ok = () => api.calls.filter((c) => c.result === 'ok');
  return {
    api,
    run,
    ok,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const SERVICE =
  'arn:aws:apprunner:us-east-1:111122223333:service/payments-api/8fe1e10304f84fd2b0df550fe98a71fa';

function guard(
  name: string,
  id: string,
  time: string,
  change?: (raw: RawEvent & { 'detail-type': string }) => void,
) {
  return inputFrom(`guard/${name}`, (raw) => {
    raw.id = id;
    raw.time = time;
    change?.(raw as RawEvent & { 'detail-type': string });
  });
}

/** Fix forward released the pin of payments-api (the incident's resolution). */
const pinReleased = (id: string, time: string) =>
  guard('rollback-completed', id, time, (raw) => {
    raw['detail-type'] = 'Pin Released';
    raw.detail.job = 'fix-forward';
    raw.detail.action = 'release-pin';
    raw.detail.reason = 'payments:latest was pushed with a new digest; released the pin.';
    raw.detail.details = { code: 'release' };
  });

const parentText = (api: SlackApiStandIn, ts: string) => api.messages.get(`C0ONCALL/${ts}`)?.text ?? '';

describe('Slack app mode: one thread per incident', () => {
  it('a rollback and its fix are one parent, updated in place, with a reply per step', async () => {
    const { api, run, ok } = await setup();
    await expect(run(guard('rollback-completed', 'e-1', '2026-11-20T14:03:40Z'))).resolves.toMatchObject({
      outcome: 'acted',
      channels: ['sns', 'slack'],
    });
    const [parent, reply] = ok();
    expect(parent).toMatchObject({ method: 'chat.postMessage', channel: 'C0ONCALL' });
    expect(parent!.threadTs).toBeUndefined();
    expect(reply).toMatchObject({ method: 'chat.postMessage', channel: 'C0ONCALL', threadTs: parent!.ts });
    expect(parentText(api, parent!.ts!)).toContain('Rollback Completed: payments-api');
    expect(parentText(api, parent!.ts!)).toContain('push it to the tag');

    await run(pinReleased('e-2', '2026-11-20T15:10:00Z'));
    expect(ok().map((c) => [c.method, c.threadTs ?? null, c.ts])).toEqual([
      ['chat.postMessage', null, parent!.ts],
      ['chat.postMessage', parent!.ts, reply!.ts],
      ['chat.postMessage', parent!.ts, expect.any(String)],
      ['chat.update', null, parent!.ts],
    ]);
    expect(parentText(api, parent!.ts!)).toContain('[RESOLVED] payments-api: resolved');

    // The next failure after the resolution is a new incident: a new parent.
    await run(guard('rollback-completed', 'e-3', '2026-11-21T09:00:00Z'));
    const parents = ok().filter((c) => c.method === 'chat.postMessage' && !c.threadTs);
    expect(parents).toHaveLength(2);
    expect(parents[1]!.ts).not.toBe(parent!.ts);
  });

  it('posts each step once: a replayed alert changes nothing in Slack', async () => {
    const { run, ok } = await setup();
    const input = guard('rollback-completed', 'e-1', '2026-11-20T14:03:40Z');
    await run(input);
    const before = ok().length;
    await expect(run(input)).resolves.toMatchObject({ outcome: 'noop' });
    expect(ok()).toHaveLength(before);
  });

  it('Slack rate-limits chat.update: the alert comes back after Retry-After and the reply is not repeated', async () => {
    const { api, run, ok, advance } = await setup();
    await run(guard('rollback-completed', 'e-1', '2026-11-20T14:03:40Z'));
    api.fail('chat.update', { error: 'ratelimited', retryAfterSeconds: 30 });
    const failure = await run(pinReleased('e-2', '2026-11-20T15:10:00Z')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RetryAfterError);
    expect(classifyError(failure)).toBe('retry-after');
    expect((failure as RetryAfterError).delaySeconds).toBe(30);
    const replies = () => ok().filter((c) => c.threadTs !== undefined);
    expect(replies()).toHaveLength(2);

    advance(31_000);
    await expect(run(pinReleased('e-2', '2026-11-20T15:10:00Z'))).resolves.toMatchObject({
      outcome: 'acted',
      channels: ['slack'],
    });
    expect(replies()).toHaveLength(2);
    expect(ok().filter((c) => c.method === 'chat.update')).toHaveLength(1);
    expect(api.calls.filter((c) => c.result === 'ratelimited')).toHaveLength(1);
  });

  it("a late, older step is replied and listed, but does not roll the parent's state back", async () => {
    const { api, run, ok } = await setup();
    await run(
      guard('rollback-failed', 'e-2', '2026-11-20T14:30:00Z', (raw) => {
        raw.detail.service = { ...(raw.detail.service as object), arn: SERVICE, name: 'payments-api' };
        raw.resources = [SERVICE];
      }),
    );
    await run(
      guard('rollback-skipped', 'e-1', '2026-11-20T14:10:00Z', (raw) => {
        raw.detail.service = { ...(raw.detail.service as object), arn: SERVICE, name: 'payments-api' };
        raw.resources = [SERVICE];
      }),
    );
    const parent = ok()[0]!;
    expect(ok().filter((c) => c.threadTs === parent.ts)).toHaveLength(2);
    const update = api.requests.filter((r) => r.method === 'chat.update');
    expect(update).toHaveLength(1);
    expect(update[0]!.body).toContain('Rollback Skipped: payments-api');
    expect(parentText(api, parent.ts!)).toContain('[CRITICAL] Rollback Failed: payments-api');
  });

  it('a refused Slack action is listed in the thread; the parent keeps its state and its button', async () => {
    const { api, run } = await setup();
    await run(guard('deletion-scheduled', 'e-1', '2026-11-20T14:03:40Z'));
    await run(
      guard('deletion-scheduled', 'e-2', '2026-11-20T14:20:00Z', (raw) => {
        (raw as Record<string, unknown>)['detail-type'] = 'Slack Action Refused';
        raw.detail.job = 'slack-actions';
        raw.detail.outcome = 'skipped';
        raw.detail.action = 'keep-service';
        raw.detail.reason =
          'U0INTRUDER asked to keep-service batch-worker and is not allowed to; nothing changed.';
        raw.detail.details = { slackUser: 'U0INTRUDER' };
      }),
    );
    const update = api.requests.filter((r) => r.method === 'chat.update').at(-1)!.body;
    expect(update).toContain('Slack Action Refused: batch-worker');
    expect(update).toContain('State now: Failed Service Deletion Scheduled: batch-worker');
    expect(update).toContain('"action_id":"keep-service"');
  });

  it('a deletion scheduled offers Keep this service, naming the service in the button value', async () => {
    const { api, run, ok } = await setup();
    await run(guard('deletion-scheduled', 'e-1', '2026-11-20T14:03:40Z'));
    const reply = ok()[1]!;
    expect(reply.threadTs).toBe(ok()[0]!.ts);
    expect(api.requests.at(-1)?.body).toContain('"action_id":"keep-service"');
    expect(api.requests.at(-1)?.body).toContain(
      '\\"service\\":\\"arn:aws:apprunner:us-east-1:111122223333:service/batch-worker/0a1b2c3d4e5f60718293a4b5c6d7e8f9\\"',
    );

    await run(guard('service-kept', 'e-2', '2026-11-20T15:00:00Z'));
    expect(parentText(api, ok()[0]!.ts!)).toContain('[RESOLVED] batch-worker: resolved');
  });
});

describe('Slack app mode: routing by severity', () => {
  it('routine runs go to the info channel, never to on-call', async () => {
    const { run, ok } = await setup();
    await run(guard('schedule-run-completed', 'e-1', '2026-11-20T19:00:10Z'));
    expect(ok().map((c) => [c.method, c.channel])).toEqual([['chat.postMessage', 'C0INFO']]);
  });

  it('info goes nowhere when there is no info channel', async () => {
    const { run, api } = await setup({ ...ROUTING, infoChannel: undefined });
    await expect(run(guard('schedule-run-completed', 'e-1', '2026-11-20T19:00:10Z'))).resolves.toMatchObject({
      outcome: 'acted',
      reason: expect.stringContaining('Slack: not posted, info alert and no info channel'),
    });
    expect(api.calls).toEqual([]);
  });

  it('a warning goes to on-call without a mention; a critical one mentions the user group', async () => {
    const { run, ok, api } = await setup();
    await run(guard('quota-warning', 'e-1', '2026-11-20T14:00:00Z'));
    expect(ok().map((c) => c.channel)).toEqual(['C0ONCALL']);
    expect(api.requests.at(-1)?.body).not.toContain('subteam');
    await run(guard('schedule-action-failed', 'e-2', '2026-11-20T14:01:00Z'));
    expect(ok().length).toBeGreaterThan(1);
    expect(ok().every((c) => c.channel === 'C0ONCALL')).toBe(true);
    expect(api.requests.map((r) => r.body).join('\n')).toContain('<!subteam^S0ONCALL>');
  });
});

describe('Slack app mode: Slack refusing', () => {
  it('channel_not_found is terminal; a later step takes the unposted incident over and opens the thread', async () => {
    const { api, run, ok } = await setup();
    api.fail('chat.postMessage', { error: 'channel_not_found' });
    const failure = await run(guard('rollback-completed', 'e-1', '2026-11-20T14:03:40Z')).catch(
      (e: unknown) => e,
    );
    expect(classifyError(failure)).toBe('terminal');
    expect(ok()).toEqual([]);

    // A step soon after waits for the opener's parent (retryable) …
    const early = await run(pinReleased('e-2', '2026-11-20T14:05:00Z')).catch((e: unknown) => e);
    expect(classifyError(early)).toBe('retryable');
    // … and once the claim is stale it opens the thread itself.
    await expect(
      run(
        guard('rollback-failed', 'e-3', '2026-11-20T14:30:00Z', (raw) => {
          raw.detail.service = { ...(raw.detail.service as object), arn: SERVICE, name: 'payments-api' };
          raw.resources = [SERVICE];
        }),
      ),
    ).resolves.toMatchObject({ outcome: 'acted', channels: ['sns', 'slack'] });
    const parents = ok().filter((c) => c.method === 'chat.postMessage' && !c.threadTs);
    expect(parents).toHaveLength(1);
    expect(ok().filter((c) => c.threadTs === parents[0]!.ts)).toHaveLength(1);
  });
});
