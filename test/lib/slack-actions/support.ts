/** Builds Slack interaction requests as Slack sends them: form-encoded `payload`, signed v0. */
import { signSlackRequest } from '../../../lib/slack-actions/verify.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const SERVICE_ARN =
  'arn:aws:apprunner:us-east-1:111122223333:service/checkout-api/0123456789abcdef0123456789abcdef';
/** The name in SERVICE_ARN. */
export const SERVICE_NAME = 'checkout-api';
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
