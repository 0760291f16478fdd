import type { SimClock } from './clock.ts';
import type { FaultDice, SlackFaults } from './faults.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { renderSlackSummary, renderSlackText } from './slack-text.ts';

/** One message Slack accepted. */
export interface SlackMessage {
  time: string;
  channel: string;
  payload: Record<string, unknown>;
  /** The message as a reader would see it. */
  text: string;
  /** A compact rendering (header, text, first fields, button labels). */
  summary: string;
}

/** One request Slack refused. */
export interface SlackRejection {
  time: string;
  channel: string;
  status: number;
  body: string;
  reason: 'rate-limited' | 'injected-rate-limit' | 'outage' | 'invalid';
}

/**
 * Slack incoming-webhook receiver: answers `ok` (plain text) to a valid message, at most one per
 * second per webhook (HTTP 429 with `Retry-After` otherwise), plain-text errors for invalid
 * payloads, and 5xx during an injected outage. The one-second spacing is measured on
 * {@link SimClock.wallNow}: simulated time plus the real time a handler spent waiting.
 */
export class SlackReceiver {
  readonly messages: SlackMessage[] = [];
  readonly rejections: SlackRejection[] = [];
  private readonly lastAccepted = new Map<string, number>();

  constructor(
    private readonly clock: SimClock,
    private readonly faults: SlackFaults,
    private readonly dice: FaultDice,
    private readonly observe: (entry: SlackMessage | SlackRejection) => void = () => {},
  ) {}

  async handle(req: HttpRequest): Promise<HttpResponse> {
    const channel = req.path;
    const now = this.clock.now;
    const time = new Date(now).toISOString();
    const reject = (
      status: number,
      body: string,
      reason: SlackRejection['reason'],
      headers: Record<string, string> = {},
    ) => {
      const rejection: SlackRejection = { time, channel, status, body, reason };
      this.rejections.push(rejection);
      this.observe(rejection);
      return { status, headers: { 'content-type': 'text/plain', ...headers }, body };
    };
    if (req.method !== 'POST') return reject(405, 'invalid_method', 'invalid');
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.dice.roll(this.faults.outage, 'PostMessage', now)) {
      const status = this.faults.outage?.status ?? 503;
      return reject(status, status === 503 ? 'service_unavailable' : 'internal_error', 'outage');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(req.body);
    } catch {
      return reject(400, 'invalid_payload', 'invalid');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return reject(400, 'invalid_payload', 'invalid');
    }
    const p = payload as Record<string, unknown>;
    const blocks = p.blocks;
    if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > 50))
      return reject(400, 'invalid_blocks', 'invalid');
    if ((typeof p.text !== 'string' || p.text.trim() === '') && !Array.isArray(blocks)) {
      return reject(400, 'no_text', 'invalid');
    }
    if (this.dice.roll(this.faults.rateLimited, 'PostMessage', now)) {
      return reject(429, 'rate_limited', 'injected-rate-limit', { 'retry-after': '1' });
    }
    const wall = this.clock.wallNow();
    const last = this.lastAccepted.get(channel);
    if (last !== undefined && wall - last < 1000) {
      const wait = Math.max(1, Math.ceil((1000 - (wall - last)) / 1000));
      return reject(429, 'rate_limited', 'rate-limited', { 'retry-after': String(wait) });
    }
    this.lastAccepted.set(channel, wall);
    const message: SlackMessage = {
      time,
      channel,
      payload: p,
      text: renderSlackText(p),
      summary: renderSlackSummary(p),
    };
    this.messages.push(message);
    this.observe(message);
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
  }
}
