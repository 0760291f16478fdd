import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createNotifyLedger } from '../lib/aws/notify-ledger.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { createGuardWakeUps } from '../lib/aws/scheduler.ts';
import { createBotTokenSource, createSsmClient, createWebhookUrlSource } from '../lib/aws/secrets.ts';
import { createSlackWebhook } from '../lib/aws/slack.ts';
import { createSlackAppClient } from '../lib/aws/slack-app.ts';
import { createSnsClient, createSnsPublisher } from '../lib/aws/sns.ts';
import { loadConfig, loadSlackNotifyConfig } from '../lib/config.ts';
import { notifyJob } from '../lib/notify/job.ts';
import { createRejectedFailureAlerter } from '../lib/notify/rejected-failure.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createTargets } from '../lib/targets.ts';

const config = loadConfig(process.env);
const slackConfig = loadSlackNotifyConfig(process.env);
const ssm = createSsmClient();
const dynamo = createDynamoDBClient();
const sns = createSnsPublisher(createSnsClient(), config.alertTopicArn);
// The notifier acts nowhere: it only needs to know the targets, to reject events from elsewhere.
const targets = createTargets(config.targets, { account: config.accountId, region: config.region });
const logger = new Logger({ serviceName: 'apprunner-guard' });
const wakeUps = createGuardWakeUps(config, { logger });

// Events come from the function's SQS queue (buffered delivery); direct invocations pass through.
export const handler = notifyJob.createQueueHandler(
  {
    logger,
    wakeUps,
    idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
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
  },
  createQueueVisibility(createSqsClient()),
);
