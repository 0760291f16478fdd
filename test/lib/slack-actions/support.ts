/** Builds Slack interaction requests as Slack sends them: form-encoded `payload`, signed v0. */
import { signSlackRequest } from '../../../lib/slack-actions/verify.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const SERVICE_ARN =
  'arn:aws:apprunner:us-east-1:111122223333:service/checkout-api/0123456789abcdef0123456789abcdef';
export const NOW = new Date('2026-11-30T15:00:00Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);

/** A block_actions payload for one button click. */
export function actionPayload(
  options: {
    action?: string;
    user?: string;
    actionTs?: string;
    value?: unknown;
    service?: string;
    until?: string;
  } = {},
): Record<string, unknown> {
  const value =
    options.value ??
    JSON.stringify({
      service: options.service ?? SERVICE_ARN,
      ...(options.until ? { until: options.until } : {}),
    });
  return {
    type: 'block_actions',
    user: { id: options.user ?? 'U0ONCALL', username: 'oncall.engineer', team_id: 'T0GUARD' },
    team: { id: 'T0GUARD' },
    channel: { id: 'C0ONCALL' },
    message: { ts: '1796050000.000100' },
    response_url: 'https://hooks.slack.com/actions/T0GUARD/1/xyz',
    actions: [
      {
        type: 'button',
        action_id: options.action ?? 'keep-service',
        block_id: 'actions',
        value,
        action_ts: options.actionTs ?? `${NOW_S}.000200`,
      },
    ],
  };
}

/** The form body Slack posts. */
export const formBody = (payload: unknown): string =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** Headers of a request signed with `secret` at `timestamp` (seconds). */
export function signedHeaders(
  body: string,
  timestamp = NOW_S,
  secret = SIGNING_SECRET,
): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signSlackRequest(secret, timestamp, body),
  };
}

/** One service in the in-memory App Runner. */
export interface MemoryService {
  status: string;
  tags: Record<string, string>;
  /** The configured image identifier (what a pin release checks). */
  image?: string;
}

/**
 * An in-memory App Runner port (the calls the Slack actions and a deletion schedule make), with a
 * log of every mutating call so a test can assert that nothing changed.
 */
export function memoryAppRunner(services: Record<string, MemoryService>) {
  const calls: string[] = [];
  const name = (arn: string) => arn.split('/')[1]!;
  const port = {
    calls,
    services,
    async describeService(arn: string) {
      const s = services[arn];
      if (!s) return undefined;
      return {
        arn,
        name: name(arn),
        id: arn.split('/')[2]!,
        status: s.status,
        sourceType: 'image',
        ...(s.image ? { imageIdentifier: s.image } : {}),
      } as never;
    },
    async listTags(arn: string) {
      return { ...(services[arn]?.tags ?? {}) };
    },
    async listOperations() {
      return [];
    },
    async *listServices() {},
    async updateImage(arn: string, image?: string) {
      calls.push(`updateImage ${arn}${image ? ` ${image}` : ''}`);
      if (image && services[arn]) services[arn].image = image;
      return {};
    },
    async pauseService(arn: string) {
      calls.push(`pause ${arn}`);
      services[arn]!.status = 'PAUSED';
      return {};
    },
    async resumeService(arn: string) {
      calls.push(`resume ${arn}`);
      services[arn]!.status = 'RUNNING';
      return {};
    },
    async deleteService(arn: string) {
      calls.push(`delete ${arn}`);
      services[arn]!.status = 'OPERATION_IN_PROGRESS';
      return { operationId: 'op-delete' };
    },
    async tagService(arn: string, tags: Record<string, string>) {
      calls.push(`tag ${arn} ${Object.keys(tags).join(',')}`);
      Object.assign(services[arn]!.tags, tags);
    },
    async untagService(arn: string, keys: readonly string[]) {
      calls.push(`untag ${arn} ${keys.join(',')}`);
      for (const k of keys) delete services[arn]!.tags[k];
    },
  };
  return port;
}

/** A guard-event publisher that keeps what was published. */
export function memoryPublisher() {
  const published: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  return {
    published,
    async publish(entries: readonly { detailType: string; detail: unknown }[]) {
      for (const e of entries)
        published.push({ detailType: e.detailType, detail: e.detail as Record<string, unknown> });
    },
  };
}
