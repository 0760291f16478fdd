import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { loadConfig } from '../lib/config.ts';
import { APP_RUNNER_SOURCE, type AppRunnerEvent, parseAppRunnerEvent } from '../lib/events/app-runner.ts';
import { type CleanupPayload, cleanupPayloadSchema, parseSchedulerPayload } from '../lib/events/scheduler.ts';
import { createFailureReporter } from '../lib/report-failure.ts';
import { type Parsed, withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

export const handler = withGuard({
  job: 'cleanup',
  logger,
  parse: (raw: unknown): Parsed<AppRunnerEvent | CleanupPayload> => {
    if ((raw as { source?: unknown } | null)?.source === APP_RUNNER_SOURCE) {
      const event = parseAppRunnerEvent(raw, { accountId: config.accountId });
      return { key: event.eventId, input: event };
    }
    const payload = parseSchedulerPayload(cleanupPayloadSchema, raw);
    const target = payload.action === 'sweep' ? 'sweep' : payload.serviceArn;
    return { key: `${payload.action}#${target}#${payload.scheduledTime}`, input: payload };
  },
  // Placeholder until the cleanup job lands: an explicit outcome, never a silent success.
  run: async () => ({ outcome: 'skipped', reason: 'not implemented: the cleanup job is not built yet' }),
  reportFailure: createFailureReporter(publisher, 'cleanup', config.cleanup.dryRun, (input) =>
    'eventId' in input
      ? { service: input.service, trigger: input.eventId }
      : { trigger: `${input.action}@${input.scheduledTime}` },
  ),
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});
