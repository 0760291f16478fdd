/**
 * Verifies a Slack interaction request before anything else reads it (docs/architecture.md,
 * "Slack actions"): signature v0 — `v0=` + hex HMAC-SHA256 over `v0:<timestamp>:<raw body>` with
 * the app's signing secret — compared in constant time, a timestamp within five minutes either
 * way (a captured request cannot be replayed later), and a size bound checked before hashing.
 * Pure: the clock and the secret are arguments.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window for a request's timestamp, in seconds, in both directions. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** Largest body accepted by default: an interaction payload is a few kilobytes. */
export const SLACK_MAX_BODY_BYTES = 64 * 1024;

/** What the verifier needs from one request. */
export interface SlackRequest {
  /** Header names in any case (a Function URL lower-cases them). */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (the signature covers these bytes). */
  rawBody: string | Buffer;
  now: Date;
  signingSecret: string;
  /** Defaults to {@link SLACK_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
}

/** A refusal: the HTTP status to answer with and why (safe to log; never the secret or a signature). */
export interface SlackRequestRefusal {
  ok: false;
  status: 400 | 401 | 413;
  reason: string;
}

/** Result of {@link verifySlackRequest}. */
export type SlackVerification = { ok: true; body: string; timestamp: number } | SlackRequestRefusal;

function header(headers: SlackRequest['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` (what Slack sends in `X-Slack-Signature`). */
export function signSlackRequest(
  signingSecret: string,
  timestamp: number | string,
  body: string | Buffer,
): string {
  const mac = createHmac('sha256', signingSecret);
  mac.update(`v0:${timestamp}:`);
  mac.update(body);
  return `v0=${mac.digest('hex')}`;
}

/**
 * Verifies a Slack request. Unsigned, wrongly signed and stale (or future-skewed) requests are
 * 401; an oversized body is 413; a malformed timestamp is 400. Only a verified request's body is
 * returned, decoded as UTF-8.
 */
export function verifySlackRequest(request: SlackRequest): SlackVerification {
  if (request.signingSecret.length === 0)
    throw new TypeError('verifySlackRequest: the signing secret is empty');
  const max = request.maxBodyBytes ?? SLACK_MAX_BODY_BYTES;
  const raw = typeof request.rawBody === 'string' ? Buffer.from(request.rawBody, 'utf8') : request.rawBody;
  if (raw.length > max) {
    return { ok: false, status: 413, reason: `the body is ${raw.length} bytes, more than ${max}` };
  }
  const signature = header(request.headers, 'x-slack-signature');
  const stamp = header(request.headers, 'x-slack-request-timestamp');
  if (signature === undefined || signature === '' || stamp === undefined || stamp === '') {
    return {
      ok: false,
      status: 401,
      reason: 'the request is not signed (X-Slack-Signature or X-Slack-Request-Timestamp missing)',
    };
  }
  if (!/^\d{1,12}$/.test(stamp.trim())) {
    return { ok: false, status: 400, reason: 'X-Slack-Request-Timestamp is not a Unix time in seconds' };
  }
  const timestamp = Number(stamp.trim());
  const skew = Math.floor(request.now.getTime() / 1000) - timestamp;
  if (Math.abs(skew) > SLACK_TIMESTAMP_TOLERANCE_SECONDS) {
    return {
      ok: false,
      status: 401,
      reason: `the request's timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'}; at most ${SLACK_TIMESTAMP_TOLERANCE_SECONDS} s is accepted`,
    };
  }
  const expected = Buffer.from(signSlackRequest(request.signingSecret, stamp.trim(), raw), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  // timingSafeEqual needs equal lengths; the length of a correct signature is public.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 401, reason: 'the signature does not match' };
  }
  return { ok: true, body: raw.toString('utf8'), timestamp };
}
