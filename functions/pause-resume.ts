import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createPauseMarkerStore } from '../lib/aws/pause-markers.ts';
import { createGuardScheduler } from '../lib/aws/scheduler.ts';
import { createTargetPorts } from '../lib/aws/targets.ts';
import { loadConfig } from '../lib/config.ts';
import { createHandler } from '../lib/pause-resume/job.ts';
import { settingsFromConfig } from '../lib/pause-resume/run-schedule.ts';
import { createRejectionHandler } from '../lib/rejections.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const targets = createTargetPorts(config);

export const handler = createHandler({
  logger: new Logger({ serviceName: 'apprunner-guard' }),
  idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
  onReject: createRejectionHandler({ job: 'pause-resume', counter: createRejectionCounter() }),
  ports: {
    appRunner: targets.appRunner,
    targets: targets.targets,
    markers: createPauseMarkerStore(dynamo, config.ledgerTable),
    scheduler: createGuardScheduler(config),
    publisher: createGuardEventPublisher(createEventBridgeClient(), config.eventBusName),
  },
  settings: settingsFromConfig(config),
});
