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
import { recordRelease } from '../lib/release/record-release.ts';
import { createFailureReporter, subjectOfEvent } from '../lib/report-failure.ts';
import { withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const rejections = createRejectionCounter();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
const ports = createReleasePorts(config, dynamo, publisher);
const queue = createQueueVisibility(createSqsClient());
const parse = appRunnerTrigger(config.accountId);
const onReject = createRejectionHandler({ job: 'record-release', counter: rejections });
const reportFailure = createFailureReporter(publisher, 'record-release', false, subjectOfEvent);

const handleEvent = withGuard({
  job: 'record-release',
  logger,
  parse,
  onReject,
  run: async (event, ctx) =>
    event.kind === 'operation'
      ? recordRelease(event, ports, config.ledger, ctx)
      : { outcome: 'skipped', reason: 'A service status change is not a successful deployment.' },
  reportFailure,
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});

export const handler = deliverFromQueue(handleEvent, {
  job: 'record-release',
  visibility: queue,
  logger,
  onReject,
  onGiveUp: (event, error) => reportFailure(parse(event).input, error),
});
