import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { prepareTargets } from '../lib/aws/organizations.ts';
import { createPauseMarkerStore } from '../lib/aws/pause-markers.ts';
import { createGuardWakeUps } from '../lib/aws/scheduler.ts';
import { createTargetPorts } from '../lib/aws/targets.ts';
import { nowWithin, sleepWithin } from '../lib/aws/waits.ts';
import { loadConfig } from '../lib/config.ts';
import { createHandler } from '../lib/pause-resume/job.ts';
import { settingsFromConfig } from '../lib/pause-resume/run-schedule.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createTargetsFailureReporter } from '../lib/report-failure.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const logger = new Logger({ serviceName: 'apprunner-guard' });
// One wake-up port: the stack's "come back later" for the run, the follow-ups and override ends.
const wakeUps = createGuardWakeUps(config, { logger });
const targets = createTargetPorts(config);
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

export const handler = createHandler({
  logger,
  wakeUps,
  idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
  onReject: createRejectionHandler({ job: 'pause-resume', counter: createRejectionCounter() }),
  prepare: prepareTargets(
    targets,
    createTargetsFailureReporter(publisher, 'pause-resume', config.pauseResume.dryRun),
  ),
  ports: {
    appRunner: targets.appRunner,
    targets: targets.targets,
    markers: createPauseMarkerStore(dynamo, config.ledgerTable),
    wakeUps,
    publisher,
  },
  // The invocation's clock: real when deployed, simulated in the sandbox (lib/aws/waits.ts).
  settings: settingsFromConfig(config, { sleep: sleepWithin, now: nowWithin }),
});
