import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { prepareTargets } from '../lib/aws/organizations.ts';
import { createPauseMarkerStore } from '../lib/aws/pause-markers.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { createReleasePorts } from '../lib/aws/release-ports.ts';
import { createGuardWakeUps, createSchedulerClient, createSchedulerGateway } from '../lib/aws/scheduler.ts';
import { createTargetPorts } from '../lib/aws/targets.ts';
import { loadConfig } from '../lib/config.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createTargetsFailureReporter } from '../lib/report-failure.ts';
import { slackActionsJob } from '../lib/slack-actions/job.ts';

const config = loadConfig(process.env);
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
// App Runner and ECR in every target, through the spoke roles (docs/architecture.md).
const targets = createTargetPorts(config);

// Events come from the function's SQS queue (buffered delivery); direct invocations pass through.
export const handler = slackActionsJob.createQueueHandler(
  {
    logger: new Logger({ serviceName: 'apprunner-guard' }),
    idempotency: createIdempotencyStore(dynamo, config.idempotencyTable),
    onReject: createRejectionHandler({ job: 'slack-actions', counter: createRejectionCounter() }),
    prepare: prepareTargets(targets, createTargetsFailureReporter(publisher, 'slack-actions', false)),
    targets: targets.targets,
    ports: createReleasePorts(config, dynamo, publisher, targets),
    rollback: { dryRun: config.rollback.dryRun },
    fixForward: { dryRun: config.fixForward.dryRun },
    markers: createPauseMarkerStore(dynamo, config.ledgerTable),
    // Read only: the definitions of the deployed pause/resume schedules.
    deployedSchedules: createSchedulerGateway(createSchedulerClient(), {
      group: config.scheduler.schedulesGroup,
      roleArn: config.scheduler.roleArn,
    }),
    wakeUps: createGuardWakeUps(config),
    // Date.now, not new Date(): the sandbox shows handlers its simulated clock through Date.now.
    now: () => new Date(Date.now()),
  },
  createQueueVisibility(createSqsClient()),
);
