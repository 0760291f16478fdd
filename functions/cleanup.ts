import { Logger } from '@aws-lambda-powertools/logger';
import { createCleanupDeps } from '../lib/aws/cleanup-ports.ts';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { runCleanup } from '../lib/cleanup/run-cleanup.ts';
import { loadConfig } from '../lib/config.ts';
import { deliverFromQueue } from '../lib/core/queue-delivery.ts';
import {
  APP_RUNNER_SOURCE,
  type AppRunnerEvent,
  parseAppRunnerEvent,
  parseServiceArn,
} from '../lib/events/app-runner.ts';
import { type CleanupPayload, cleanupPayloadSchema, parseSchedulerPayload } from '../lib/events/scheduler.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { createFailureReporter, type FailureSubject } from '../lib/report-failure.ts';
import { type Parsed, withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const rejections = createRejectionCounter();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
const deps = createCleanupDeps(config, dynamo, publisher);

/** What a terminal failure is about, for the `Cleanup Failed` alert. */
function subjectOf(input: AppRunnerEvent | CleanupPayload): FailureSubject {
  if ('eventId' in input) return { service: input.service, trigger: input.eventId };
  const trigger = `${input.action}@${input.scheduledTime}`;
  const service = input.action === 'delete-failed-service' ? parseServiceArn(input.serviceArn) : undefined;
  return service ? { service, trigger } : { trigger };
}

const queue = createQueueVisibility(createSqsClient());
const onReject = createRejectionHandler({ job: 'cleanup', counter: rejections });
const reportFailure = createFailureReporter(publisher, 'cleanup', config.cleanup.dryRun, subjectOf);

function parse(raw: unknown): Parsed<AppRunnerEvent | CleanupPayload> {
  if ((raw as { source?: unknown } | null)?.source === APP_RUNNER_SOURCE) {
    const event = parseAppRunnerEvent(raw, { accountId: config.accountId });
    return { key: event.eventId, input: event, logKeys: { serviceArn: event.service.arn } };
  }
  const payload = parseSchedulerPayload(cleanupPayloadSchema, raw);
  const target = payload.action === 'sweep' ? 'sweep' : payload.serviceArn;
  return {
    key: `${payload.action}#${target}#${payload.scheduledTime}`,
    input: payload,
    logKeys: payload.action === 'sweep' ? { action: 'sweep' } : { serviceArn: payload.serviceArn },
  };
}

const handleEvent = withGuard({
  job: 'cleanup',
  logger,
  parse,
  onReject,
  run: (input, ctx) => runCleanup(input, deps, ctx),
  reportFailure,
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});

// App Runner events come from the cleanup queue; the sweep and the deletions scheduled with
// Scheduler invoke the function directly and pass through unchanged.
export const handler = deliverFromQueue(handleEvent, {
  job: 'cleanup',
  visibility: queue,
  logger,
  onReject,
  onGiveUp: (event, error) => reportFailure(parse(event).input, error),
});
