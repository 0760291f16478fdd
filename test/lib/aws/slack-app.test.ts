/**
 * The Slack app client against the sandbox's Slack Web API stand-in, served on a loopback port:
 * the calls as Slack receives them, and Slack's `{ ok: false, error }` semantics as error kinds.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SecretSource } from '../../../lib/aws/secrets.ts';
import { createSlackAppClient, createSlackUserGroups, SlackApiError } from '../../../lib/aws/slack-app.ts';
import { classifyError, RetryAfterError } from '../../../lib/core/errors.ts';
import { type LocalServer, listen } from '../../../sandbox/http.ts';
import { SlackApiStandIn } from '../../../sandbox/slack-api.ts';
import { failureOf } from '../../support/failure.ts';

const TOKEN = 'xoxb-test-0123456789-abcdef';
let server: LocalServer;
let api: SlackApiStandIn;

beforeAll(async () => {
  server = await listen((req) => api.handle(req));
});
afterAll(() => server.close());
beforeEach(() => {
  api = new SlackApiStandIn({
    token: TOKEN,
    channels: ['C0ONCALL', 'C0INFO'],
    userGroups: { S0ONCALL: ['U0ONCALL', 'U0SECOND'] },
    now: () => Date.parse('2026-11-30T15:00:00Z'),
  });
});

function token(value = TOKEN) {
  return { get: vi.fn(async () => value), invalidate: vi.fn() } satisfies SecretSource;
}
const client = (t = token(), now?: () => number) =>
  createSlackAppClient({ token: t, baseUrl: `${server.url}/api/`, ...(now ? { now } : {}) });

describe('Slack app client', () => {
  it('posts a parent, replies in its thread and updates the parent in place', async () => {
    const slack = client();
    const parent = await slack.postMessage({ channel: 'C0ONCALL', text: 'checkout-api: deployment failed' });
    expect(parent).toEqual({ channel: 'C0ONCALL', ts: expect.stringMatching(/^1796050800\.\d{6}$/) });
    const reply = await slack.postMessage({ channel: 'C0ONCALL', text: 'rolled back', threadTs: parent.ts });
    await slack.updateMessage({ channel: 'C0ONCALL', ts: parent.ts, text: 'checkout-api: rolled back' });
    expect(api.calls.map((c) => [c.method, c.channel, c.ts, c.threadTs, c.result])).toEqual([
      ['chat.postMessage', 'C0ONCALL', parent.ts, undefined, 'ok'],
      ['chat.postMessage', 'C0ONCALL', reply.ts, parent.ts, 'ok'],
      ['chat.update', 'C0ONCALL', parent.ts, undefined, 'ok'],
    ]);
    expect(api.messages.get(`C0ONCALL/${parent.ts}`)?.text).toBe('checkout-api: rolled back');
    expect(api.replies('C0ONCALL', parent.ts)).toHaveLength(1);
  });

  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'msg_too_long'])(
    '%s is terminal and names the method and the code',
    async (code) => {
      api.fail('chat.postMessage', { error: code });
      const error = await failureOf(client().postMessage({ channel: 'C0ONCALL', text: 'x' }));
      expect(error).toBeInstanceOf(SlackApiError);
      expect(error.message).toBe(`Slack chat.postMessage failed: ${code}`);
      expect(classifyError(error)).toBe('terminal');
    },
  );

  it('a channel the stand-in does not know is channel_not_found', async () => {
    const error = await failureOf(client().postMessage({ channel: 'C0NOWHERE', text: 'x' }));
    expect(error.message).toContain('channel_not_found');
  });

  it('invalid_auth is terminal, re-reads the token next time, and never shows it', async () => {
    const t = token('xoxb-wrong-token-0000000000');
    const error = await failureOf(client(t).postMessage({ channel: 'C0ONCALL', text: 'x' }));
    expect(error).toMatchObject({ name: 'SlackApiError', code: 'invalid_auth' });
    expect(classifyError(error)).toBe('terminal');
    expect(t.invalidate).toHaveBeenCalledOnce();
    expect(JSON.stringify({ message: error.message, fields: (error as SlackApiError).fields })).not.toContain(
      'xoxb-',
    );
  });

  it('ratelimited waits Retry-After: a RetryAfterError, and no call of that method until then', async () => {
    api.fail('chat.update', { error: 'ratelimited', retryAfterSeconds: 30 });
    let now = Date.parse('2026-11-30T15:00:00Z');
    const slack = client(token(), () => now);
    const parent = await slack.postMessage({ channel: 'C0ONCALL', text: 'x' });
    const error = await failureOf(slack.updateMessage({ channel: 'C0ONCALL', ts: parent.ts, text: 'y' }));
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).delaySeconds).toBe(30);
    // Per method: chat.postMessage is not blocked, chat.update is, without calling Slack.
    await slack.postMessage({ channel: 'C0ONCALL', text: 'z', threadTs: parent.ts });
    const calls = api.calls.length;
    const again = await failureOf(slack.updateMessage({ channel: 'C0ONCALL', ts: parent.ts, text: 'y' }));
    expect((again as RetryAfterError).delaySeconds).toBe(30);
    expect(api.calls.length).toBe(calls);
    now += 31_000;
    await slack.updateMessage({ channel: 'C0ONCALL', ts: parent.ts, text: 'y' });
    expect(api.calls.at(-1)).toMatchObject({ method: 'chat.update', result: 'ok' });
  });

  it.each(['internal_error', 'service_unavailable'])('%s is retryable', async (code) => {
    api.fail('chat.postMessage', { error: code });
    const error = await failureOf(client().postMessage({ channel: 'C0ONCALL', text: 'x' }));
    expect(classifyError(error)).toBe('retryable');
  });

  it('5xx and an unreachable Slack are retryable', async () => {
    const down = await listen(async () => ({ status: 503, body: 'upstream down' }));
    const e1 = await failureOf(
      createSlackAppClient({ token: token(), baseUrl: down.url }).postMessage({
        channel: 'C0ONCALL',
        text: 'x',
      }),
    );
    expect(classifyError(e1)).toBe('retryable');
    await down.close();
    const e2 = await failureOf(
      createSlackAppClient({ token: token(), baseUrl: down.url }).postMessage({
        channel: 'C0ONCALL',
        text: 'x',
      }),
    );
    expect(classifyError(e2)).toBe('retryable');
    expect(e2.message).toContain('unreachable');
  });

  it('reads user-group members (form-encoded), cached per group for a minute', async () => {
    let now = 0;
    const groups = createSlackUserGroups(client(), () => now);
    expect(await groups.members('S0ONCALL')).toEqual(['U0ONCALL', 'U0SECOND']);
    expect(await groups.members('S0ONCALL')).toEqual(['U0ONCALL', 'U0SECOND']);
    expect(api.calls.filter((c) => c.method === 'usergroups.users.list')).toHaveLength(1);
    now = 61_000;
    await groups.members('S0ONCALL');
    expect(api.calls.filter((c) => c.method === 'usergroups.users.list')).toHaveLength(2);
    const error = await failureOf(groups.members('S0UNKNOWN'));
    expect(error.message).toContain('no_such_subteam');
  });
});
