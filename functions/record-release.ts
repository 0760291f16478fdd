import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { createRecordReleasePorts } from '../lib/aws/release-ports.ts';
import { loadConfig } from '../lib/config.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { recordReleaseJob } from '../lib/release/job.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

// Events come from the function's SQS queue (buffered delivery); direct invocations pass through.
export const handler = recordReleaseJob.createQueueHandler(
  {
    logger: new Logger({ serviceName: 'apprunner-guard' }),
    idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
    onReject: createRejectionHandler({ job: 'record-release', counter: createRejectionCounter() }),
    accountId: config.accountId,
    ports: createRecordReleasePorts(config, dynamo, publisher),
    settings: { ...config.ledger, bake: config.bake },
  },
  createQueueVisibility(createSqsClient()),
);
