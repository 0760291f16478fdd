import { Logger } from '@aws-lambda-powertools/logger';
import { createAppRunnerClient, createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createGuardScheduler } from '../lib/aws/scheduler.ts';
import { loadConfig } from '../lib/config.ts';
import { parseSchedulerPayload, pauseResumePayloadSchema } from '../lib/events/scheduler.ts';
import { runSchedule, settingsFromConfig } from '../lib/pause-resume/run-schedule.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createFailureReporter } from '../lib/report-failure.ts';
import { withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const rejections = createRejectionCounter();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
const appRunner = createAppRunnerGateway(createAppRunnerClient());
const scheduler = createGuardScheduler(config);
const settings = settingsFromConfig(config);

export const handler = withGuard({
  job: 'pause-resume',
  logger,
  parse: (raw: unknown) => {
    const payload = parseSchedulerPayload(pauseResumePayloadSchema, raw);
    // Scheduler delivers at least once: schedule + action + scheduled time (+ follow-up attempt)
    // identifies one run.
    return {
      key: `${payload.schedule}#${payload.action}#${payload.scheduledTime}#${payload.attempt ?? 0}`,
      input: payload,
      logKeys: { schedule: payload.schedule, action: payload.action, scheduledTime: payload.scheduledTime },
    };
  },
  onReject: createRejectionHandler({ job: 'pause-resume', counter: rejections }),
  run: (payload, ctx) => runSchedule(payload, { appRunner, scheduler, publisher }, settings, ctx),
  reportFailure: createFailureReporter(publisher, 'pause-resume', config.pauseResume.dryRun, (p) => ({
    trigger: `${p.schedule}@${p.scheduledTime}`,
  })),
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});
