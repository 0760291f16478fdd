/**
 * A Slack Web API stand-in (app mode) beside the webhook receiver: `chat.postMessage`,
 * `chat.update` and `usergroups.users.list`, with Slack's shapes — HTTP 200 and
 * `{ ok: false, error }` for refusals, HTTP 429 + `Retry-After` for `ratelimited` — and errors
 * scripted per method (`channel_not_found`, `invalid_auth`, `ratelimited`…). Every call is recorded
 * with its method, channel, `ts` and `thread_ts`, so a scenario or test can read a thread.
 */
import type { HttpRequest, HttpResponse } from './http.ts';

/** One call the stand-in answered (accepted or refused). */
export interface SlackApiCall {
  /** When it was answered (ISO; the stand-in's clock). */
  time?: string;
  method: string;
  channel?: string;
  /** The message's ts: the new one for postMessage, the updated one for update. */
  ts?: string;
  /** The thread a reply was posted in. */
  threadTs?: string;
  text?: string;
  /** `ok`, or Slack's error code. */
  result: string;
}

/** A scripted error for the next calls of a method. */
export interface SlackApiFault {
  error: string;
  /** How many calls it applies to (default 1). */
  times?: number;
  /** `ratelimited`: the `Retry-After` header, seconds (default 1). */
  retryAfterSeconds?: number;
}

/** Options of the stand-in. */
export interface SlackApiOptions {
  /** The bot token the stand-in accepts (`Authorization: Bearer …`). */
  token: string;
  /** Channels that exist (ids or names); any other is `channel_not_found`. */
  channels: readonly string[];
  /** User groups and their members. */
  userGroups?: Record<string, readonly string[]>;
  /** Clock of ts values, in ms (the sandbox passes simulated time). */
  now?: () => number;
  /** Called with every call answered (the sandbox's timeline). */
  observe?: (call: SlackApiCall) => void;
}

const METHODS = new Set(['chat.postMessage', 'chat.update', 'usergroups.users.list']);

/** The stand-in; `handle` serves a request whose path is `/api/<method>` (or `/<method>`). */
export class SlackApiStandIn {
  readonly calls: SlackApiCall[] = [];
  /** Every request body as received (blocks and button values included), in order. */
  readonly requests: Array<{ method: string; body: string }> = [];
  /** Posted messages by `channel/ts`, as they read now. */
  readonly messages = new Map<string, { channel: string; ts: string; threadTs?: string; text: string }>();
  private readonly faults = new Map<string, SlackApiFault[]>();
  private seq = 0;

  constructor(private readonly options: SlackApiOptions) {}

  /** Makes the next call(s) of `method` fail with `fault.error`. */
  fail(method: string, fault: SlackApiFault): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < (fault.times ?? 1); i++) list.push(fault);
    this.faults.set(method, list);
  }

  /** The thread of a parent message: its replies, in order. */
  replies(channel: string, threadTs: string): SlackApiCall[] {
    return this.calls.filter((c) => c.result === 'ok' && c.channel === channel && c.threadTs === threadTs);
  }

  async handle(req: HttpRequest): Promise<HttpResponse> {
    const method = req.path.replace(/^\/(api\/)?/, '');
    if (req.method !== 'POST') return this.answer({ method, result: 'invalid_method' }, 405);
    if (!METHODS.has(method)) return this.answer({ method, result: 'unknown_method' }, 404);
    this.requests.push({ method, body: req.body });
    const args = this.parse(req);
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    const base: SlackApiCall = { method, ...(channel ? { channel } : {}), result: 'ok' };
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${this.options.token}`) {
      return this.answer({ ...base, result: auth ? 'invalid_auth' : 'not_authed' });
    }
    const fault = this.faults.get(method)?.shift();
    if (fault) {
      if (fault.error === 'ratelimited') {
        return this.answer({ ...base, result: 'ratelimited' }, 429, {
          'retry-after': String(fault.retryAfterSeconds ?? 1),
        });
      }
      return this.answer({ ...base, result: fault.error });
    }
    if (method === 'usergroups.users.list') {
      const members = this.options.userGroups?.[String(args.usergroup)];
      if (!members) return this.answer({ ...base, result: 'no_such_subteam' });
      return this.answer(base, 200, {}, { users: [...members] });
    }
    if (!channel || !this.options.channels.includes(channel)) {
      return this.answer({ ...base, result: 'channel_not_found' });
    }
    const text = typeof args.text === 'string' ? args.text : '';
    if (text.trim() === '' && !Array.isArray(args.blocks)) return this.answer({ ...base, result: 'no_text' });
    if (method === 'chat.update') {
      const ts = String(args.ts ?? '');
      const existing = this.messages.get(`${channel}/${ts}`);
      if (!existing) return this.answer({ ...base, ts, result: 'message_not_found' });
      existing.text = text;
      return this.answer({ ...base, ts, text }, 200, {}, { channel, ts, text });
    }
    const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
    if (threadTs && !this.messages.has(`${channel}/${threadTs}`)) {
      return this.answer({ ...base, threadTs, result: 'thread_not_found' });
    }
    const ts = this.nextTs();
    this.messages.set(`${channel}/${ts}`, { channel, ts, ...(threadTs ? { threadTs } : {}), text });
    return this.answer({ ...base, ts, ...(threadTs ? { threadTs } : {}), text }, 200, {}, { channel, ts });
  }

  private nextTs(): string {
    const seconds = Math.floor((this.options.now?.() ?? Date.now()) / 1000);
    this.seq++;
    return `${seconds}.${String(this.seq).padStart(6, '0')}`;
  }

  private parse(req: HttpRequest): Record<string, unknown> {
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('application/json')) {
      try {
        const v = JSON.parse(req.body) as unknown;
        return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    }
    return Object.fromEntries(new URLSearchParams(req.body));
  }

  private answer(
    call: SlackApiCall,
    status = 200,
    headers: Record<string, string> = {},
    extra: Record<string, unknown> = {},
  ): HttpResponse {
    const recorded: SlackApiCall = {
      time: new Date(this.options.now?.() ?? Date.now()).toISOString(),
      ...call,
    };
    this.calls.push(recorded);
    this.options.observe?.(recorded);
    const body = call.result === 'ok' ? { ok: true, ...extra } : { ok: false, error: call.result };
    return {
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    };
  }
}
