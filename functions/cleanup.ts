import { Logger } from '@aws-lambda-powertools/logger';
import { createCleanupDeps } from '../lib/aws/cleanup-ports.ts';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createHandler } from '../lib/cleanup/job.ts';
import { loadConfig } from '../lib/config.ts';
import { createRejectionHandler } from '../lib/rejections.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

export const handler = createHandler({
  logger: new Logger({ serviceName: 'apprunner-guard' }),
  idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
  onReject: createRejectionHandler({ job: 'cleanup', counter: createRejectionCounter() }),
  ...createCleanupDeps(config, dynamo, publisher),
});
