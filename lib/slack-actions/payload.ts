/**
 * The Slack interaction payload, parsed strictly (docs/architecture.md, "Slack actions"): a
 * verified body is `application/x-www-form-urlencoded` with one `payload` field holding JSON; only
 * `block_actions` with one of the guard's own action ids is accepted, and the button's value must
 * name an App Runner service ARN (the guard writes it when it posts the message).
 */
import { parseServiceArn, type ServiceRef } from '../events/app-runner.ts';

/** The actions a Slack button may ask for. */
export const SLACK_ACTION_IDS = ['keep-service', 'keep-running', 'rollback', 'release-pin'] as const;
export type SlackActionId = (typeof SLACK_ACTION_IDS)[number];

/** What a button's `value` holds: JSON written by the guard when it posts the message. */
export interface SlackActionValue {
  service: string;
  /** keep-running: ISO-8601 time until which the schedule leaves the service running. */
  until?: string;
}

/** A Slack user as the payload names them. */
export interface SlackUser {
  id: string;
  /** The Slack handle, for humans reading the audit; never used for authorisation. */
  name?: string;
  teamId?: string;
}

/** One parsed, well-formed action request. */
export interface SlackActionRequest {
  action: SlackActionId;
  service: ServiceRef;
  until?: string;
  user: SlackUser;
  /** Slack's `action_ts`: with the user and action id, the idempotency key. */
  actionTs: string;
  channelId?: string;
  messageTs?: string;
}

/** Why a body is not a request the guard accepts (HTTP 400). */
export interface SlackPayloadProblem {
  ok: false;
  status: 400;
  reason: string;
}

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const SLACK_TS = /^\d{1,12}\.\d{1,9}$/;
const SLACK_ID = /^[A-Z0-9]{2,24}$/;

const bad = (reason: string): SlackPayloadProblem => ({ ok: false, status: 400, reason });
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The idempotency key of one action: a click is one `action_ts` by one user on one button. */
export function slackActionKey(request: Pick<SlackActionRequest, 'action' | 'actionTs' | 'user'>): string {
  return `slack#${request.actionTs}#${request.user.id}#${request.action}`;
}

/** Parses a verified interaction body into the one action it asks for. */
export function parseSlackActionBody(
  body: string,
): { ok: true; request: SlackActionRequest } | SlackPayloadProblem {
  const form = new URLSearchParams(body);
  const raw = form.get('payload');
  if (raw === null) return bad('the body has no payload field');
  let payload: Record<string, unknown> | undefined;
  try {
    payload = obj(JSON.parse(raw));
  } catch {
    return bad('payload is not JSON');
  }
  if (!payload) return bad('payload is not a JSON object');
  if (payload.type !== 'block_actions') {
    return bad(`payload.type ${JSON.stringify(String(payload.type)).slice(0, 40)} is not block_actions`);
  }
  const user = obj(payload.user);
  const userId = str(user?.id);
  if (!userId || !USER_ID.test(userId)) return bad('payload.user.id is not a Slack user id');
  const actions = Array.isArray(payload.actions) ? payload.actions : [];
  if (actions.length !== 1)
    return bad(`payload.actions has ${actions.length} entries; exactly one is expected`);
  const a = obj(actions[0]);
  const actionId = str(a?.action_id);
  if (!actionId || !(SLACK_ACTION_IDS as readonly string[]).includes(actionId)) {
    return bad(
      `payload.actions.0.action_id ${JSON.stringify(actionId ?? null).slice(0, 70)} is not a guard action`,
    );
  }
  const actionTs = str(a?.action_ts);
  if (!actionTs || !SLACK_TS.test(actionTs))
    return bad('payload.actions.0.action_ts is not a Slack timestamp');
  let value: Record<string, unknown> | undefined;
  try {
    value = obj(JSON.parse(str(a?.value) ?? ''));
  } catch {
    value = undefined;
  }
  if (!value) return bad("payload.actions.0.value is not the guard's JSON value");
  const service = parseServiceArn(str(value.service) ?? '');
  if (!service) return bad('payload.actions.0.value.service is not an App Runner service ARN');
  let until: string | undefined;
  if (actionId === 'keep-running') {
    // A datetimepicker's choice wins over the button's default.
    const picked = a?.selected_date_time;
    const at =
      typeof picked === 'number' ? new Date(picked * 1000) : new Date(str(value.until) ?? Number.NaN);
    if (Number.isNaN(at.getTime()))
      return bad('keep-running needs a time: value.until or selected_date_time');
    until = at.toISOString();
  }
  const teamId = str(obj(payload.team)?.id) ?? str(user?.team_id);
  const channelId = str(obj(payload.channel)?.id) ?? str(obj(payload.container)?.channel_id);
  const messageTs = str(obj(payload.message)?.ts) ?? str(obj(payload.container)?.message_ts);
  const name = str(user?.username) ?? str(user?.name);
  return {
    ok: true,
    request: {
      action: actionId as SlackActionId,
      service,
      ...(until ? { until } : {}),
      user: {
        id: userId,
        ...(name ? { name: name.slice(0, 80) } : {}),
        ...(teamId && SLACK_ID.test(teamId) ? { teamId } : {}),
      },
      actionTs,
      ...(channelId && SLACK_ID.test(channelId) ? { channelId } : {}),
      ...(messageTs && SLACK_TS.test(messageTs) ? { messageTs } : {}),
    },
  };
}
