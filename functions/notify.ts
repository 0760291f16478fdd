import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { loadConfig } from '../lib/config.ts';
import { parseAppRunnerEvent } from '../lib/events/app-runner.ts';
import { GUARD_SOURCE, parseGuardEvent } from '../lib/events/guard.ts';
import { createFailureReporter } from '../lib/report-failure.ts';
import { withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

export const handler = withGuard({
  job: 'notify',
  logger,
  parse: (raw: unknown) => {
    const source = (raw as { source?: unknown } | null)?.source;
    const input =
      source === GUARD_SOURCE
        ? parseGuardEvent(raw, { accountId: config.accountId })
        : parseAppRunnerEvent(raw, { accountId: config.accountId });
    return { key: input.eventId, input };
  },
  // Placeholder until the notify job lands: an explicit outcome, never a silent success.
  run: async () => ({ outcome: 'skipped', reason: 'not implemented: the notify job is not built yet' }),
  reportFailure: createFailureReporter(publisher, 'notify', false, (input) => ({ trigger: input.eventId })),
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});
