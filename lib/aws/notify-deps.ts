import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GuardConfig, SlackNotifyConfig } from '../config.ts';
import { createRejectedFailureAlerter } from '../notify/rejected-failure.ts';
import { createNotifyTargetsFailureReporter } from '../notify/report-failure.ts';
import { createRejectionHandler } from '../rejections.ts';
import { createIdempotencyStore } from './idempotency.ts';
import { createRejectionCounter } from './metrics.ts';
import { createNotifyLedger } from './notify-ledger.ts';
import { createLenientTargets } from './organizations.ts';
import { createGuardWakeUps } from './scheduler.ts';
import { createBotTokenSource, createSsmClient, createWebhookUrlSource } from './secrets.ts';
import { createSlackWebhook } from './slack.ts';
import { createSlackAppClient } from './slack-app.ts';
import { createSnsClient, createSnsPublisher } from './sns.ts';

/**
 * Everything the notifier runs with, from its config: SNS, Slack (the webhook, and in app mode the
 * Web API client with its routing), the notify ledger, wake-ups, idempotency and the rejection
 * handler. functions/notify.ts calls it once per container; tests call it with their own config,
 * DynamoDB client and logger instead of rewriting `process.env`.
 */
export function createNotifyDeps(
  config: GuardConfig,
  slackConfig: SlackNotifyConfig,
  clients: { dynamo: DynamoDBClient; logger: Logger },
) {
  const { dynamo, logger } = clients;
  const ssm = createSsmClient();
  const sns = createSnsPublisher(createSnsClient(), config.alertTopicArn);
  // The notifier acts nowhere: it only needs to know the targets, to reject events from elsewhere.
  // It keeps alerting when the organisation cannot be read (its own alert says so, once).
  const { targets, prepare } = createLenientTargets(
    config,
    createNotifyTargetsFailureReporter(sns, () => new Date(Date.now())),
  );
  const wakeUps = createGuardWakeUps(config, { logger });
  return {
    logger,
    wakeUps,
    idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
    prepare,
    onReject: createRejectionHandler({
      job: 'notify',
      counter: createRejectionCounter(),
      alert: createRejectedFailureAlerter({ job: 'notify', targets, sns }),
    }),
    targets,
    notify: {
      sns,
      slack: createSlackWebhook({ url: createWebhookUrlSource(ssm, config.slackWebhookParameter) }),
      // App mode: threads per incident, routing by severity, buttons (docs/architecture.md).
      ...(slackConfig.app
        ? {
            slackApp: {
              client: createSlackAppClient({
                token: createBotTokenSource(ssm, slackConfig.app.botTokenParameter),
                baseUrl: slackConfig.app.apiUrl,
              }),
              routing: slackConfig.app,
            },
          }
        : {}),
      ledger: createNotifyLedger(dynamo, config.ledgerTable),
      wakeUps,
    },
  };
}
