import { Logger } from '@aws-lambda-powertools/logger';
import { createCleanupDeps } from '../lib/aws/cleanup-ports.ts';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { prepareTargets } from '../lib/aws/organizations.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { createTargetPorts } from '../lib/aws/targets.ts';
import { cleanupJob } from '../lib/cleanup/job.ts';
import { loadConfig } from '../lib/config.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createTargetsFailureReporter } from '../lib/report-failure.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
const targets = createTargetPorts(config);

// Events come from the function's SQS queue (buffered delivery); direct invocations pass through.
export const handler = cleanupJob.createQueueHandler(
  {
    logger: new Logger({ serviceName: 'apprunner-guard' }),
    idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
    onReject: createRejectionHandler({ job: 'cleanup', counter: createRejectionCounter() }),
    prepare: prepareTargets(
      targets,
      createTargetsFailureReporter(publisher, 'cleanup', config.cleanup.dryRun),
    ),
    ...createCleanupDeps(config, dynamo, publisher, targets),
  },
  createQueueVisibility(createSqsClient()),
);
