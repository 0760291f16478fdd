import { Logger } from '@aws-lambda-powertools/logger';
import { createAppRunnerClient, createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createGuardWakeUps } from '../lib/aws/scheduler.ts';
import { loadConfig } from '../lib/config.ts';
import { createHandler } from '../lib/pause-resume/job.ts';
import { settingsFromConfig } from '../lib/pause-resume/run-schedule.ts';
import { createRejectionHandler } from '../lib/rejections.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const logger = new Logger({ serviceName: 'apprunner-guard' });
// One wake-up port: the stack's "come back later" for the run, the follow-ups and override ends.
const wakeUps = createGuardWakeUps(config, { logger });

export const handler = createHandler({
  logger,
  wakeUps,
  idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
  onReject: createRejectionHandler({ job: 'pause-resume', counter: createRejectionCounter() }),
  ports: {
    appRunner: createAppRunnerGateway(createAppRunnerClient()),
    wakeUps,
    publisher: createGuardEventPublisher(createEventBridgeClient(), config.eventBusName),
  },
  settings: settingsFromConfig(config),
});
