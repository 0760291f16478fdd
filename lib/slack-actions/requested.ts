/**
 * The hand-off between the endpoint and the job (docs/architecture.md, "Slack actions"): the
 * endpoint acknowledges Slack within its 3 seconds and publishes one `Slack Action Requested`
 * event on the guard's bus (its own source, so the notifier never sees it); a rule delivers it to
 * the slack-actions job, which takes the action. The job parses it again, strictly: the bus is not
 * trusted to carry only what the endpoint verified.
 */
import { InvalidEventError } from '../core/errors.ts';
import type { Targets } from '../core/ports/targets.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import { SLACK_ACTION_IDS, type SlackActionRequest } from './payload.ts';

/** `source` of the hand-off event; not `apprunner-guard`, so notify's rule does not match it. */
export const SLACK_ACTION_SOURCE = 'apprunner-guard.slack';
export const SLACK_ACTION_REQUESTED = 'Slack Action Requested';

/** A verified, authorised request on its way to the job. */
export interface SlackActionRequested extends SlackActionRequest {
  /** Why the allowlist admitted the user (`user U…` or `user group S…`). */
  authorizedVia: string;
  /** When the endpoint accepted it. */
  requestedAt: string;
}

/** Port: hands an accepted request to the job, asynchronously. */
export interface SlackActionRequests {
  submit(request: SlackActionRequested): Promise<void>;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function need(value: unknown, field: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new InvalidEventError(field, 'missing or malformed');
  return value;
}

/**
 * Parses a `Slack Action Requested` event delivered by EventBridge. Strict on identity: the
 * source, detail-type, account, action id and the service ARN (which must be in one of the guard's targets).
 *
 * @throws InvalidEventError naming the field.
 */
export function parseSlackActionRequested(raw: unknown, targets: Targets): SlackActionRequested {
  const e = obj(raw);
  if (!e) throw new InvalidEventError('(event)', 'not an object');
  if (e.source !== SLACK_ACTION_SOURCE)
    throw new InvalidEventError('source', `must be ${SLACK_ACTION_SOURCE}`);
  if (e['detail-type'] !== SLACK_ACTION_REQUESTED) {
    throw new InvalidEventError('detail-type', `must be ${SLACK_ACTION_REQUESTED}`);
  }
  if (e.account !== targets.hub.account) throw new InvalidEventError('account', 'not the guard account');
  const d = obj(e.detail);
  if (!d) throw new InvalidEventError('detail', 'not an object');
  const action = d.action;
  if (typeof action !== 'string' || !(SLACK_ACTION_IDS as readonly string[]).includes(action)) {
    throw new InvalidEventError('detail.action', 'not a guard action');
  }
  const service = parseServiceArn(typeof d.service === 'string' ? d.service : '');
  if (!service) throw new InvalidEventError('detail.service', 'not an App Runner service ARN');
  if (!targets.isTarget(service.account, service.region))
    throw new InvalidEventError('detail.service', "not in one of the guard's targets");
  const user = obj(d.user);
  const until =
    d.until === undefined ? undefined : need(d.until, 'detail.until', /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
  const optional = (v: unknown, field: string, p: RegExp) =>
    v === undefined ? undefined : need(v, field, p);
  const name = optional(user?.name, 'detail.user.name', /^.{1,80}$/s);
  const teamId = optional(user?.teamId, 'detail.user.teamId', /^[A-Z0-9]{2,24}$/);
  const channelId = optional(d.channelId, 'detail.channelId', /^[A-Z0-9]{2,24}$/);
  const messageTs = optional(d.messageTs, 'detail.messageTs', /^\d{1,12}\.\d{1,9}$/);
  return {
    action: action as SlackActionRequested['action'],
    service,
    ...(until ? { until } : {}),
    user: {
      id: need(user?.id, 'detail.user.id', /^[UW][A-Z0-9]{2,20}$/),
      ...(name ? { name } : {}),
      ...(teamId ? { teamId } : {}),
    },
    actionTs: need(d.actionTs, 'detail.actionTs', /^\d{1,12}\.\d{1,9}$/),
    ...(channelId ? { channelId } : {}),
    ...(messageTs ? { messageTs } : {}),
    authorizedVia: need(d.authorizedVia, 'detail.authorizedVia', /^.{1,120}$/s),
    requestedAt: need(d.requestedAt, 'detail.requestedAt', /^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
  };
}

/** The detail the endpoint publishes (the service as its ARN: the job re-derives the rest). */
export function slackActionRequestedDetail(request: SlackActionRequested): Record<string, unknown> {
  return { ...request, service: request.service.arn };
}
