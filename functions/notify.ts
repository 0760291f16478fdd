import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDBClient } from '../lib/aws/idempotency.ts';
import { createNotifyDeps } from '../lib/aws/notify-deps.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { loadConfig, loadSlackNotifyConfig } from '../lib/config.ts';
import { notifyJob } from '../lib/notify/job.ts';

// Events come from the function's SQS queue (buffered delivery); direct invocations pass through.
export const handler = notifyJob.createQueueHandler(
  createNotifyDeps(loadConfig(process.env), loadSlackNotifyConfig(process.env), {
    dynamo: createDynamoDBClient(),
    logger: new Logger({ serviceName: 'apprunner-guard' }),
  }),
  createQueueVisibility(createSqsClient()),
);
