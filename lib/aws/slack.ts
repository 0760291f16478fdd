import { RetryAfterError, RetryableError, TerminalError } from '../core/errors.ts';
import type { SlackPort } from '../notify/ports.ts';
import type { WebhookUrlSource } from './secrets.ts';
import { sleepWithin } from './waits.ts';

/** Slack refused the message for good (`invalid_payload`, `no_service`, `channel_not_found`…). */
export class SlackRejectedError extends TerminalError {
  override readonly name = 'SlackRejectedError';
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Slack webhook rejected the message: HTTP ${status} ${code}`);
  }
}

/** Slack is rate-limiting us and `Retry-After` does not fit in this invocation. */
export class SlackRateLimitedError extends RetryAfterError {
  override readonly name = 'SlackRateLimitedError';
}

/** Slack answered 5xx, or could not be reached in time. */
export class SlackUnavailableError extends RetryableError {
  override readonly name = 'SlackUnavailableError';
}

/** Options of {@link createSlackWebhook}. */
export interface SlackWebhookOptions {
  url: WebhookUrlSource;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Attempts within one invocation (429 waits only). */
  maxAttempts?: number;
  /** Time kept free at the end of the invocation for recording the result. */
  reserveMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const SLACK_ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** `Retry-After` in seconds or as an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null) return 1_000;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? 1_000 : Math.max(0, at - now);
}

function networkCode(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } };
  // Node network errors carry a string code (ECONNREFUSED…); a timeout is a DOMException named
  // TimeoutError whose numeric code means nothing to a reader.
  for (const candidate of [e.cause?.code, e.code, e.cause?.name, e.name]) {
    if (typeof candidate === 'string' && /^[A-Za-z_]+$/.test(candidate)) return candidate;
  }
  return 'Error';
}

/**
 * The Slack incoming-webhook adapter over `fetch`. On 429 it waits `Retry-After` and tries again
 * when that fits in the invocation's remaining time, otherwise throws a retryable
 * {@link SlackRateLimitedError}; 5xx, network errors and timeouts are retryable
 * {@link SlackUnavailableError}s; other 4xx are terminal {@link SlackRejectedError}s and make the
 * next call re-read the URL. No error message, log or result ever contains the URL.
 */
export function createSlackWebhook(options: SlackWebhookOptions): SlackPort {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const reserveMs = options.reserveMs ?? 2_000;
  const sleep = options.sleep ?? sleepWithin;

  return {
    async post(message, { remainingMs }) {
      const url = await options.url.get();
      const body = JSON.stringify(message);
      for (let attempt = 1; ; attempt++) {
        const budget = remainingMs() - reserveMs;
        if (budget <= 0) throw new SlackUnavailableError('no time left in this invocation to call Slack');
        let response: Response;
        try {
          response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body,
            signal: AbortSignal.timeout(Math.min(timeoutMs, budget)),
          });
        } catch (error) {
          throw new SlackUnavailableError(`Slack webhook unreachable (${networkCode(error)})`);
        }
        const text = (await response.text().catch(() => '')).trim();
        if (response.ok) return;
        if (response.status === 429) {
          const wait = retryAfterMs(response.headers.get('retry-after'));
          if (attempt < maxAttempts && remainingMs() - wait - timeoutMs - reserveMs > 0) {
            await sleep(wait);
            continue;
          }
          throw new SlackRateLimitedError(
            `Slack rate-limited the webhook (HTTP 429, Retry-After ${Math.ceil(wait / 1000)} s) beyond this invocation's remaining time`,
            // The event comes back when Slack said to (at least a second).
            Math.max(1, Math.ceil(wait / 1000)),
          );
        }
        if (response.status >= 500) {
          throw new SlackUnavailableError(`Slack webhook answered HTTP ${response.status}`);
        }
        options.url.invalidate();
        throw new SlackRejectedError(
          response.status,
          SLACK_ERROR_CODE.test(text) ? text : 'unexpected response',
        );
      }
    },
  };
}
