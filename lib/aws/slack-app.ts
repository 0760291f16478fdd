/**
 * The Slack app client (app mode, docs/architecture.md, "Slack"): the few Web API methods the
 * guard calls, over `fetch` (no SDK: three methods do not pay for a dependency in every bundle).
 * JSON bodies with `Authorization: Bearer <bot token>`; the token comes from an SSM SecureString
 * and never appears in an error, log or result.
 *
 * Slack answers HTTP 200 with `{ ok: false, error }` for most failures, so errors are read from
 * both the status and the body: `ratelimited` (HTTP 429, `Retry-After`) → {@link RetryAfterError},
 * remembered per method so the container does not call that method again before then; Slack's
 * own faults (5xx, `internal_error`, `service_unavailable`…), timeouts and network errors →
 * retryable; everything else (`invalid_auth`, `channel_not_found`, `not_in_channel`…) →
 * {@link SlackApiError}, terminal, naming the method and Slack's error code.
 */
import { RetryAfterError, RetryableError, TerminalError } from '../core/errors.ts';
import type { SecretSource } from './secrets.ts';
import { retryAfterMs } from './slack.ts';

/** Slack refused a call for good; `code` is Slack's error (`channel_not_found`…). */
export class SlackApiError extends TerminalError {
  override readonly name = 'SlackApiError';
  constructor(
    readonly method: string,
    readonly code: string,
  ) {
    super(`Slack ${method} failed: ${code}`, { fields: { method, code } });
  }
}

/** Slack's error codes that mean "Slack's side, try again". */
const SLACK_SERVER_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);
/** Codes that mean the token is wrong: read it again next time (it may have been rotated). */
const AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);
const SLACK_ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** A message as `chat.postMessage` / `chat.update` take it. */
export interface SlackAppMessage {
  channel: string;
  text: string;
  blocks?: unknown[];
  /** Posts as a reply in this thread (`chat.postMessage` only). */
  threadTs?: string;
}

/** What Slack says about a posted or updated message. */
export interface SlackPosted {
  channel: string;
  ts: string;
}

/** The Web API methods the guard uses. */
export interface SlackAppClient {
  postMessage(message: SlackAppMessage): Promise<SlackPosted>;
  updateMessage(message: Omit<SlackAppMessage, 'threadTs'> & { ts: string }): Promise<SlackPosted>;
  /** Members (user ids) of a user group (`usergroups.users.list`, scope `usergroups:read`). */
  userGroupMembers(groupId: string): Promise<string[]>;
}

/** Options of {@link createSlackAppClient}. */
export interface SlackAppOptions {
  token: SecretSource;
  /** `https://slack.com/api/` unless a stand-in is used (the sandbox). */
  baseUrl: string;
  timeoutMs?: number;
  now?: () => number;
}

function networkCode(error: unknown): string {
  const e = error as { name?: unknown; cause?: { code?: unknown } };
  for (const c of [e.cause?.code, e.name]) if (typeof c === 'string' && /^[A-Za-z_]+$/.test(c)) return c;
  return 'Error';
}

/** Builds the client; create it once per container. */
export function createSlackAppClient(options: SlackAppOptions): SlackAppClient {
  const timeoutMs = options.timeoutMs ?? 5_000;
  // Read the clock at each call (not a reference taken at creation): the sandbox's clock is Date.now.
  const now = options.now ?? (() => Date.now());
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  /** Per method: no call before this time (ms), after Slack said `ratelimited`. */
  const blockedUntil = new Map<string, number>();

  /**
   * Calls a method. Write methods take JSON; read methods (`usergroups.users.list`) are sent
   * form-encoded, which every Web API method accepts.
   */
  async function call(
    method: string,
    body: Record<string, unknown>,
    encoding: 'json' | 'form' = 'json',
  ): Promise<Record<string, unknown>> {
    const blocked = blockedUntil.get(method) ?? 0;
    if (blocked > now()) {
      throw new RetryAfterError(`Slack ${method} is rate-limited`, Math.max(1, (blocked - now()) / 1000), {
        fields: { method, code: 'ratelimited' },
      });
    }
    const token = await options.token.get();
    let response: Response;
    try {
      response = await fetch(`${base}${method}`, {
        method: 'POST',
        headers: {
          'content-type':
            encoding === 'json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded',
          authorization: `Bearer ${token}`,
        },
        body:
          encoding === 'json'
            ? JSON.stringify(body)
            : new URLSearchParams(
                Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]),
              ).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new RetryableError(`Slack ${method} unreachable (${networkCode(error)})`, {
        reason: 'transient',
        fields: { method },
      });
    }
    const text = await response.text().catch(() => '');
    let parsed: Record<string, unknown> | undefined;
    try {
      const v = JSON.parse(text) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) parsed = v as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    const raw = typeof parsed?.error === 'string' ? parsed.error : undefined;
    const code = raw !== undefined && SLACK_ERROR_CODE.test(raw) ? raw : undefined;
    if (response.status === 429 || code === 'ratelimited') {
      const waitMs = Math.max(1_000, retryAfterMs(response.headers.get('retry-after'), now()));
      blockedUntil.set(method, now() + waitMs);
      throw new RetryAfterError(`Slack rate-limited ${method}`, waitMs / 1000, {
        fields: { method, code: 'ratelimited' },
      });
    }
    if (response.status >= 500 || (code !== undefined && SLACK_SERVER_ERRORS.has(code))) {
      throw new RetryableError(`Slack ${method} failed: ${code ?? `HTTP ${response.status}`}`, {
        reason: 'server',
        fields: { method, ...(code ? { code } : {}) },
      });
    }
    if (response.ok && parsed?.ok === true) return parsed;
    if (code !== undefined && AUTH_ERRORS.has(code)) options.token.invalidate();
    throw new SlackApiError(method, code ?? `HTTP ${response.status} unexpected response`);
  }

  const posted = (method: string, r: Record<string, unknown>): SlackPosted => {
    if (typeof r.channel !== 'string' || typeof r.ts !== 'string') {
      throw new SlackApiError(method, 'answer without channel and ts');
    }
    return { channel: r.channel, ts: r.ts };
  };

  return {
    async postMessage(m) {
      const r = await call('chat.postMessage', {
        channel: m.channel,
        text: m.text,
        ...(m.blocks ? { blocks: m.blocks } : {}),
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return posted('chat.postMessage', r);
    },
    async updateMessage(m) {
      const r = await call('chat.update', {
        channel: m.channel,
        ts: m.ts,
        text: m.text,
        ...(m.blocks ? { blocks: m.blocks } : {}),
      });
      return posted('chat.update', r);
    },
    async userGroupMembers(groupId) {
      const r = await call('usergroups.users.list', { usergroup: groupId }, 'form');
      return Array.isArray(r.users) ? r.users.filter((u): u is string => typeof u === 'string') : [];
    },
  };
}

/** How long a container trusts a user group's member list (the method allows ~20 calls a minute). */
export const USER_GROUP_MAX_AGE_MS = 60_000;

/**
 * The user-group reader the Slack actions endpoint authorises with: members cached per group for
 * {@link USER_GROUP_MAX_AGE_MS}, so a burst of clicks costs one call.
 */
export function createSlackUserGroups(
  client: Pick<SlackAppClient, 'userGroupMembers'>,
  now: () => number = () => Date.now(),
): { members(groupId: string): Promise<string[]> } {
  const cache = new Map<string, { at: number; members: string[] }>();
  return {
    async members(groupId) {
      const hit = cache.get(groupId);
      if (hit && now() - hit.at < USER_GROUP_MAX_AGE_MS) return hit.members;
      const members = await client.userGroupMembers(groupId);
      cache.set(groupId, { at: now(), members });
      return members;
    },
  };
}
