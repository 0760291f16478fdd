import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { loadConfig } from '../lib/config.ts';
import { parseSchedulerPayload, pauseResumePayloadSchema } from '../lib/events/scheduler.ts';
import { createFailureReporter } from '../lib/report-failure.ts';
import { withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

export const handler = withGuard({
  job: 'pause-resume',
  logger,
  parse: (raw: unknown) => {
    const payload = parseSchedulerPayload(pauseResumePayloadSchema, raw);
    // Scheduler delivers at least once: schedule + scheduled time identifies one run.
    return {
      key: `${payload.schedule}#${payload.action}#${payload.scheduledTime}#${payload.attempt ?? 0}`,
      input: payload,
    };
  },
  // Placeholder until the pause-resume job lands: an explicit outcome, never a silent success.
  run: async () => ({ outcome: 'skipped', reason: 'not implemented: the pause-resume job is not built yet' }),
  reportFailure: createFailureReporter(publisher, 'pause-resume', config.pauseResume.dryRun, (p) => ({
    trigger: `${p.schedule}@${p.scheduledTime}`,
  })),
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});
