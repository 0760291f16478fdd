import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createLenientTargets } from '../lib/aws/organizations.ts';
import { createBotTokenSource, createSigningSecretSource, createSsmClient } from '../lib/aws/secrets.ts';
import { createSlackActionRequests } from '../lib/aws/slack-action-requests.ts';
import { createSlackAppClient, createSlackUserGroups } from '../lib/aws/slack-app.ts';
import { loadConfig, loadSlackActionsConfig } from '../lib/config.ts';
import { createTargetsFailureReporter } from '../lib/report-failure.ts';
import { createSlackActionEndpoint } from '../lib/slack-actions/endpoint.ts';
import { SLACK_MAX_BODY_BYTES } from '../lib/slack-actions/verify.ts';

const config = loadConfig(process.env);
const slack = loadSlackActionsConfig(process.env);
const ssm = createSsmClient();
const events = createEventBridgeClient();
const publisher = createGuardEventPublisher(events, config.eventBusName);
// A click is checked against the targets; the Slack endpoint answers even when the organisation
// cannot be read (then for the hub and the accounts listed directly).
const targets = createLenientTargets(config, createTargetsFailureReporter(publisher, 'slack-actions', false));

// The Function URL's handler: Slack's interaction requests, verified before anything else.
export const handler = createSlackActionEndpoint({
  logger: new Logger({ serviceName: 'apprunner-guard' }),
  signingSecret: createSigningSecretSource(ssm, slack.signingSecretParameter),
  allowlist: slack.allow,
  groups: slack.botTokenParameter
    ? createSlackUserGroups(
        createSlackAppClient({
          token: createBotTokenSource(ssm, slack.botTokenParameter),
          baseUrl: slack.apiUrl,
          // The endpoint has Slack's 3 seconds in all; a group lookup may take one of them.
          timeoutMs: 1_000,
        }),
      )
    : undefined,
  requests: createSlackActionRequests(events, config.eventBusName),
  publisher,
  targets: targets.targets,
  prepare: targets.prepare,
  maxBodyBytes: SLACK_MAX_BODY_BYTES,
  // Date.now, not new Date(): the sandbox shows handlers its simulated clock through Date.now.
  now: () => new Date(Date.now()),
});
