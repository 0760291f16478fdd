/**
 * The Slack interaction endpoint behind a Lambda Function URL (docs/architecture.md, "Slack
 * actions"). Slack signs its requests, so the URL needs no IAM auth, and nothing is read before
 * the signature is verified. Slack wants an answer within 3 seconds: the endpoint verifies,
 * parses, authorises, hands the action to the slack-actions job asynchronously and answers 200 at
 * once; the job does the work.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { describeError } from '../core/errors.ts';
import { buildGuardEvent, GUARD_DETAIL_TYPES, type GuardEventPublisher } from '../core/guard-event.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { authorizeSlackAction, type SlackActionAllowlist, type SlackUserGroups } from './authorize.ts';
import { parseSlackActionBody, type SlackActionRequest, slackActionKey } from './payload.ts';
import type { SlackActionRequests } from './requested.ts';
import { verifySlackRequest } from './verify.ts';

/** A Function URL request, as much of it as the endpoint reads (payload format 2.0). */
export interface FunctionUrlRequest {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

/** A Function URL response. */
export interface FunctionUrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Port: the signing secret (an SSM SecureString); never logged, returned or stored. */
export interface SigningSecretSource {
  get(): Promise<string>;
}

/** What the endpoint runs with (built once per container by its function file). */
export interface SlackActionEndpointDeps {
  logger: Logger;
  signingSecret: SigningSecretSource;
  allowlist: SlackActionAllowlist;
  /** Reads user-group members; `undefined` when the allowlist names no group. */
  groups: SlackUserGroups | undefined;
  requests: SlackActionRequests;
  /** Audits refused requests (a signed click by someone the allowlist does not admit). */
  publisher: GuardEventPublisher;
  /** The guard's targets: a button naming a service elsewhere is refused. */
  targets: TargetCheck;
  /** Readies `targets` (the accounts of organisational units, read through Organizations). */
  prepare?: () => Promise<void>;
  maxBodyBytes: number;
  now(): Date;
}

const json = (statusCode: number, body: unknown): FunctionUrlResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** An answer only the clicking user sees; the original message stays as it is. */
const ephemeral = (text: string) => json(200, { response_type: 'ephemeral', replace_original: false, text });

const refusal = (statusCode: number, reason: string) => json(statusCode, { error: reason });

const VERB: Record<SlackActionRequest['action'], string> = {
  'keep-service': 'keep',
  'keep-running': 'keep running',
  rollback: 'roll back',
  'release-pin': 'release the pin of',
};

/**
 * Builds the endpoint. Answers: 401 unsigned, wrongly signed or stale; 413 oversized; 400
 * malformed, unknown action id, or a service outside the guard's account; 405 not a POST;
 * 200 with a message for the clicking user when the allowlist refuses (audited, nothing changes);
 * 200 once an authorised action is handed to the job; 503 when it could not be handed over
 * (nothing changed; clicking again is safe).
 */
export function createSlackActionEndpoint(deps: SlackActionEndpointDeps) {
  return async (event: FunctionUrlRequest): Promise<FunctionUrlResponse> => {
    const { logger } = deps;
    const method = event.requestContext?.http?.method ?? 'POST';
    if (method !== 'POST') return refusal(405, 'only POST is accepted');
    const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    const verified = verifySlackRequest({
      headers: event.headers ?? {},
      rawBody,
      now: deps.now(),
      signingSecret: await deps.signingSecret.get(),
      maxBodyBytes: deps.maxBodyBytes,
    });
    if (!verified.ok) {
      logger.warn('slack request refused', { status: verified.status, reason: verified.reason });
      return refusal(verified.status, verified.reason);
    }
    const parsed = parseSlackActionBody(verified.body);
    if (!parsed.ok) {
      logger.warn('slack request refused', { status: parsed.status, reason: parsed.reason });
      return refusal(parsed.status, parsed.reason);
    }
    const request = parsed.request;
    const log = { slackAction: request.action, slackUser: request.user.id, serviceArn: request.service.arn };
    await deps.prepare?.();
    if (!deps.targets.isTarget(request.service.account, request.service.region)) {
      logger.warn('slack request refused', {
        ...log,
        status: 400,
        reason: "service outside the guard's targets",
      });
      return refusal(400, "payload.actions.0.value.service is not in one of the guard's targets");
    }
    const verdict = await authorizeSlackAction(request.action, request.user, deps.allowlist, deps.groups);
    if (!verdict.allowed) {
      logger.warn('slack action not authorised', log);
      await deps.publisher.publish([
        buildGuardEvent(GUARD_DETAIL_TYPES.slackActionRefused, {
          job: 'slack-actions',
          outcome: 'skipped',
          action: request.action,
          reason: `${request.user.name ?? request.user.id} (Slack ${request.user.id}) asked to ${request.action} ${request.service.name} and is not allowed to; nothing changed.`,
          service: request.service,
          trigger: slackActionKey(request),
          dryRun: false,
          details: {
            slackUser: request.user.id,
            slackUserName: request.user.name,
            actionTs: request.actionTs,
          },
        }),
      ]);
      return ephemeral(verdict.reason);
    }
    try {
      await deps.requests.submit({
        ...request,
        authorizedVia: verdict.via,
        requestedAt: deps.now().toISOString(),
      });
    } catch (error) {
      logger.error('slack action could not be handed to the job', { ...log, error: describeError(error) });
      return refusal(503, 'the guard could not take the action just now; nothing changed, try again');
    }
    logger.info('slack action accepted', { ...log, via: verdict.via });
    return ephemeral(
      `On it: the guard will ${VERB[request.action]} ${request.service.name}, asked by <@${request.user.id}>. The outcome is posted as a guard event.`,
    );
  };
}
