import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * One scripted reply of the fake webhook: a status (with Slack's usual body for it), a status
 * with its own body and headers, or a function that answers (or never answers) itself.
 */
export type SlackReply =
  | number
  | { status: number; body?: string; headers?: Record<string, string> }
  | ((req: IncomingMessage, res: ServerResponse) => void);

/** A local Slack incoming webhook for handler and adapter tests. */
export interface FakeSlackWebhook {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** The webhook URL for a path (`/services/T…/B…/<secret>`). */
  url(path: string): string;
  /** Every message posted, parsed, in order, whatever the answer. */
  readonly received: unknown[];
  /** The messages answered `200 ok`. */
  readonly delivered: unknown[];
  /** Answers the next requests with these replies, then `200 ok` again. */
  reply(...replies: SlackReply[]): void;
  /** Forgets the replies still queued and the messages (done before each test). */
  reset(): void;
}

/** Slack's body for a status: `ok`, `no_service` for 404, `internal_error` otherwise. */
function bodyOf(status: number): string {
  return status === 200 ? 'ok' : status === 404 ? 'no_service' : 'internal_error';
}

/**
 * Serves a Slack incoming webhook on 127.0.0.1 for the file's tests: every request's JSON body is
 * recorded, and answered by the next scripted reply or `200 ok` (plain text, as Slack answers).
 * Replies and messages are reset before each test. Slack's own rules (one message a second,
 * payload checks, outages) are the sandbox's `SlackReceiver`; this fake answers what a test scripts.
 */
export function useSlackWebhook(): FakeSlackWebhook {
  let server: Server | undefined;
  let base = '';
  const queue: SlackReply[] = [];
  const received: unknown[] = [];
  const delivered: unknown[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const message: unknown = JSON.parse(body);
        received.push(message);
        const reply = queue.shift() ?? 200;
        if (typeof reply === 'function') return reply(req, res);
        const {
          status,
          body: text = bodyOf(status),
          headers = {},
        } = typeof reply === 'number' ? { status: reply } : reply;
        if (status === 200) delivered.push(message);
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(text);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
  });
  const reset = () => {
    queue.length = 0;
    received.length = 0;
    delivered.length = 0;
  };
  beforeEach(reset);
  return {
    get base() {
      return base;
    },
    url: (path) => `${base}${path}`,
    received,
    delivered,
    reply: (...replies) => {
      queue.push(...replies);
    },
    reset,
  };
}
