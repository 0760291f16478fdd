import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createReleasePorts } from '../lib/aws/release-ports.ts';
import { loadConfig } from '../lib/config.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createHandler } from '../lib/slack-actions/job.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

export const handler = createHandler({
  logger: new Logger({ serviceName: 'apprunner-guard' }),
  idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
  onReject: createRejectionHandler({ job: 'slack-actions', counter: createRejectionCounter() }),
  accountId: config.accountId,
  ports: createReleasePorts(config, dynamo, publisher),
  rollback: { dryRun: config.rollback.dryRun },
  now: () => new Date(),
});
