import { Logger } from '@aws-lambda-powertools/logger';
import { createAppRunnerClient, createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import { createEcrClient, createImageDigestResolver } from '../lib/aws/ecr.ts';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createLedgerGateway } from '../lib/aws/ledger.ts';
import { loadConfig } from '../lib/config.ts';
import { appRunnerTrigger } from '../lib/events/parse-trigger.ts';
import { recordRelease } from '../lib/release/record-release.ts';
import { createFailureReporter, subjectOfEvent } from '../lib/report-failure.ts';
import { withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
const ports = {
  appRunner: createAppRunnerGateway(createAppRunnerClient()),
  images: createImageDigestResolver(createEcrClient(), { region: config.region }),
  ledger: createLedgerGateway(dynamo, config.ledgerTable),
  publisher,
};

export const handler = withGuard({
  job: 'record-release',
  logger,
  parse: appRunnerTrigger(config.accountId),
  run: async (event, ctx) =>
    event.kind === 'operation'
      ? recordRelease(event, ports, config.ledger, ctx)
      : { outcome: 'skipped', reason: 'A service status change is not a successful deployment.' },
  reportFailure: createFailureReporter(publisher, 'record-release', false, subjectOfEvent),
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});
