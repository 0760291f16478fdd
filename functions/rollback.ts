import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { createReleasePorts } from '../lib/aws/release-ports.ts';
import { loadConfig } from '../lib/config.ts';
import { deliverFromQueue } from '../lib/core/queue-delivery.ts';
import { appRunnerTrigger } from '../lib/events/parse-trigger.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createRollbackFailureReporter, handleFailureEvent } from '../lib/rollback/rollback.ts';
import { withGuard } from '../lib/with-guard.ts';

/** Lambda's async invoke: the first attempt plus `maximumRetryAttempts: 2` (serverless.yml). */
const LAMBDA_ATTEMPTS = 3;

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const rejections = createRejectionCounter();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
const ports = createReleasePorts(config, dynamo, publisher);
const queue = createQueueVisibility(createSqsClient());
const parse = appRunnerTrigger(config.accountId);
const onReject = createRejectionHandler({ job: 'rollback', counter: rejections });
const reportFailure = createRollbackFailureReporter(publisher, config.rollback.dryRun);

const handleEvent = withGuard({
  job: 'rollback',
  logger,
  parse,
  onReject,
  run: async (event, ctx) =>
    event.kind === 'operation'
      ? handleFailureEvent(event, ports, { ...config.rollback, maxAttempts: LAMBDA_ATTEMPTS }, ctx)
      : {
          outcome: 'skipped',
          reason: 'A service status change is not a failed deployment: nothing to roll back.',
        },
  reportFailure,
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});

export const handler = deliverFromQueue(handleEvent, {
  job: 'rollback',
  visibility: queue,
  logger,
  onReject,
  onGiveUp: (event, error) => reportFailure(parse(event).input, error),
});
