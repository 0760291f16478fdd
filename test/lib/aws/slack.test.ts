import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import type { WebhookUrlSource } from '../../../lib/aws/secrets.ts';
import { createSlackWebhook, retryAfterMs, SlackRejectedError } from '../../../lib/aws/slack.ts';
import { classifyError, type RetryAfterError } from '../../../lib/core/errors.ts';
import { describeAlert } from '../../../lib/notify/alert.ts';
import { renderSlackMessage } from '../../../lib/notify/slack-message.ts';
import { failureOf } from '../../support/failure.ts';
import { useSlackWebhook } from '../../support/slack.ts';
import { inputFrom } from '../notify/support.ts';

const slack = useSlackWebhook();
const received = slack.received;

/** The secret part of the URL: must never appear in an error. */
const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0k3nXYZ';

function source() {
  const invalidate = vi.fn<() => void>();
  return { get: async () => slack.url(SECRET_PATH), invalidate } satisfies WebhookUrlSource;
}

const message = renderSlackMessage(describeAlert(inputFrom('guard/rollback-failed')));
const status = (code: number, body: string, headers: Record<string, string> = {}) => ({
  status: code,
  body,
  headers,
});

describe('Slack webhook adapter', () => {
  it('posts the Block Kit JSON', async () => {
    const sleep = vi.fn(async () => {});
    await createSlackWebhook({ url: source(), sleep }).post(message, { remainingMs: () => 60_000 });
    expect(received).toEqual([JSON.parse(JSON.stringify(message))]);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('on 429 waits Retry-After and tries again when that fits in the remaining time', async () => {
    slack.reply(status(429, 'rate_limited', { 'retry-after': '3' }), status(200, 'ok'));
    const sleep = vi.fn(async () => {});
    await createSlackWebhook({ url: source(), sleep }).post(message, { remainingMs: () => 60_000 });
    expect(sleep).toHaveBeenCalledWith(3_000);
    expect(received).toHaveLength(2);
  });

  it("on 429 asks to retry after Slack's Retry-After when it does not fit in the remaining time", async () => {
    slack.reply(status(429, 'rate_limited', { 'retry-after': '30' }));
    const sleep = vi.fn(async () => {});
    const error = await failureOf(
      createSlackWebhook({ url: source(), sleep }).post(message, { remainingMs: () => 20_000 }),
    );
    expect(error.name).toBe('SlackRateLimitedError');
    expect(classifyError(error)).toBe('retry-after');
    expect((error as RetryAfterError).delaySeconds).toBe(30);
    expect(sleep).not.toHaveBeenCalled();
    expect(received).toHaveLength(1);
  });

  it.each([
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
    [404, 'no_service'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
  ])(
    '%i %s is terminal, names Slack’s error, never the URL, and re-reads the URL next time',
    async (code, body) => {
      slack.reply(status(code, body));
      const url = source();
      const error = await failureOf(createSlackWebhook({ url }).post(message, { remainingMs: () => 60_000 }));
      expect(error).toBeInstanceOf(SlackRejectedError);
      expect(classifyError(error)).toBe('terminal');
      expect(error.message).toBe(`Slack webhook rejected the message: HTTP ${code} ${body}`);
      expect(`${error.message}${error.stack}${JSON.stringify(error)}`).not.toContain(SECRET_PATH);
      expect(`${error.message}${error.stack}`).not.toContain(slack.base);
      expect(url.invalidate).toHaveBeenCalledOnce();
    },
  );

  it('does not echo an unexpected response body', async () => {
    slack.reply(status(400, `<html>${SECRET_PATH}</html>`));
    const error = await failureOf(
      createSlackWebhook({ url: source() }).post(message, { remainingMs: () => 60_000 }),
    );
    expect(error.message).toBe('Slack webhook rejected the message: HTTP 400 unexpected response');
  });

  it.each([500, 502, 503])('%i is retryable', async (code) => {
    slack.reply(status(code, 'internal_error'));
    const error = await failureOf(
      createSlackWebhook({ url: source() }).post(message, { remainingMs: () => 60_000 }),
    );
    expect(error.name).toBe('SlackUnavailableError');
    expect(classifyError(error)).toBe('retryable');
    expect(error.message).not.toContain(SECRET_PATH);
  });

  it('a timeout is retryable and does not leak the URL', async () => {
    slack.reply((_req, res) => {
      setTimeout(() => res.end('ok'), 2_000).unref();
    });
    const error = await failureOf(
      createSlackWebhook({ url: source(), timeoutMs: 100 }).post(message, { remainingMs: () => 60_000 }),
    );
    expect(error.name).toBe('SlackUnavailableError');
    expect(error.message).toMatch(/unreachable \(TimeoutError\)/);
    expect(classifyError(error)).toBe('retryable');
    expect(`${error.message}${error.stack}`).not.toContain(SECRET_PATH);
  });

  it('a refused connection is retryable and does not leak the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const url = { get: async () => `http://127.0.0.1:${port}${SECRET_PATH}`, invalidate: () => {} };
    const error = await failureOf(createSlackWebhook({ url }).post(message, { remainingMs: () => 60_000 }));
    expect(error.name).toBe('SlackUnavailableError');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(`${error.message}${error.stack}`).not.toContain(SECRET_PATH);
  });

  it('does not call Slack when the invocation has no time left', async () => {
    const error = await failureOf(
      createSlackWebhook({ url: source() }).post(message, { remainingMs: () => 1_000 }),
    );
    expect(classifyError(error)).toBe('retryable');
    expect(received).toHaveLength(0);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, HTTP dates, and defaults to one second', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs(null)).toBe(1_000);
    expect(retryAfterMs('soon')).toBe(1_000);
    const now = Date.parse('2026-11-20T14:00:00Z');
    expect(retryAfterMs('Fri, 20 Nov 2026 14:00:05 GMT', now)).toBe(5_000);
  });
});
