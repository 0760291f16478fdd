import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { prepareTargets } from '../lib/aws/organizations.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { createRecordReleasePorts } from '../lib/aws/release-ports.ts';
import { createTargetPorts } from '../lib/aws/targets.ts';
import { loadConfig } from '../lib/config.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { recordReleaseJob } from '../lib/release/job.ts';
import { createTargetsFailureReporter } from '../lib/report-failure.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
// App Runner and ECR in every target, through the spoke roles (docs/architecture.md).
const targets = createTargetPorts(config);

// Events come from the function's SQS queue (buffered delivery); direct invocations pass through.
export const handler = recordReleaseJob.createQueueHandler(
  {
    logger: new Logger({ serviceName: 'apprunner-guard' }),
    idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
    onReject: createRejectionHandler({ job: 'record-release', counter: createRejectionCounter() }),
    prepare: prepareTargets(targets, createTargetsFailureReporter(publisher, 'record-release', false)),
    targets: targets.targets,
    ports: createRecordReleasePorts(config, dynamo, publisher, targets),
    settings: { ...config.ledger, bake: config.bake },
  },
  createQueueVisibility(createSqsClient()),
);
