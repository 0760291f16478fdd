import * as z from 'zod';
import { signSlackRequest } from '../../lib/slack-actions/verify.ts';
import { serviceName } from '../scenario-fields.ts';
import { defineStep, type StepContext } from './step-kind.ts';

/** A signature older than Slack's 5-minute window (and the endpoint's). */
const STALE_SECONDS = 10 * 60;
let clicks = 0;

/**
 * A Slack button click: an interaction request as Slack sends it (form-encoded `payload`, signed
 * v0 with the app's signing secret), to the slack-actions Function URL handler. `signature:
 * invalid` signs with a wrong secret, `stale` signs correctly ten minutes in the past; `times`
 * sends the same signed request again (a replay).
 */
export const slackActionStep = defineStep({
  name: 'slackAction',
  schema: z
    .object({
      action: z.enum(['keep-service', 'keep-running', 'rollback', 'release-pin']),
      service: serviceName,
      user: z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id, e.g. U0ONCALL'),
      until: z.string().optional(),
      signature: z.enum(['valid', 'invalid', 'stale']).default('valid'),
      times: z.number().int().min(1).max(10).default(1),
    })
    .strict()
    .refine((s) => s.action !== 'keep-running' || s.until !== undefined, {
      message: 'keep-running needs until (an ISO-8601 time)',
    }),
  describe: (s) =>
    `Slack: ${s.user} presses ${s.action} on ${s.service}${s.until ? ` until ${s.until}` : ''}${s.signature === 'valid' ? '' : ` (${s.signature} signature)`}${s.times > 1 ? ` ×${s.times}` : ''}`,
  async run(s, ctx) {
    const arn = serviceArnOf(ctx, s.service);
    const nowSeconds = Math.floor(ctx.clock.now / 1000);
    clicks++;
    const actionTs = `${nowSeconds}.${String(clicks).padStart(6, '0')}`;
    const body = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: s.user, username: s.user.toLowerCase(), team_id: 'T0SANDBOX' },
        team: { id: 'T0SANDBOX' },
        channel: { id: 'C0ONCALL' },
        actions: [
          {
            type: 'button',
            action_id: s.action,
            block_id: 'actions',
            value: JSON.stringify({ service: arn, ...(s.until ? { until: s.until } : {}) }),
            action_ts: actionTs,
          },
        ],
      }),
    }).toString();
    const timestamp = s.signature === 'stale' ? nowSeconds - STALE_SECONDS : nowSeconds;
    const secret = s.signature === 'invalid' ? `${ctx.slack.signingSecret}x` : ctx.slack.signingSecret;
    const event = {
      version: '2.0',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(secret, timestamp, body),
      },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' } },
    };
    const answers: string[] = [];
    for (let i = 0; i < s.times; i++) {
      const response = (await ctx.lambda.invokeSync('slack-actions', event, {
        kind: 'direct',
        ref: `slack#${actionTs}#${i}`,
        label: `Slack ${s.action} ${s.service} by ${s.user}`,
      })) as { statusCode: number; body: string };
      const answer = readAnswer(response.body);
      ctx.slack.actions.push({
        time: new Date(ctx.clock.now).toISOString(),
        action: s.action,
        service: s.service,
        user: s.user,
        signature: s.signature,
        actionTs,
        status: response.statusCode,
        outcome: response.statusCode >= 400 ? 'rejected' : 'accepted',
        reason: answer,
      });
      answers.push(`HTTP ${response.statusCode}: ${answer}`);
    }
    return answers.join('; ');
  },
});

function serviceArnOf(ctx: StepContext, name: string): string {
  const s = ctx.sim.byName(name);
  if (!s) throw new Error(`no service named "${name}"`);
  return s.arn;
}

function readAnswer(body: string): string {
  try {
    const v = JSON.parse(body) as { text?: unknown; error?: unknown };
    return String(v.text ?? v.error ?? '');
  } catch {
    return body.slice(0, 200);
  }
}
