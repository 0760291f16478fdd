import { Logger } from '@aws-lambda-powertools/logger';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { loadConfig } from '../lib/config.ts';
import { appRunnerTrigger } from '../lib/events/parse-trigger.ts';
import { createFailureReporter, subjectOfEvent } from '../lib/report-failure.ts';
import { withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);

export const handler = withGuard({
  job: 'rollback',
  logger,
  parse: appRunnerTrigger(config.accountId),
  // Placeholder until the rollback job lands: an explicit outcome, never a silent success.
  run: async () => ({ outcome: 'skipped', reason: 'not implemented: the rollback job is not built yet' }),
  reportFailure: createFailureReporter(publisher, 'rollback', false, subjectOfEvent),
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});
