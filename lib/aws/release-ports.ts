import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GuardConfig } from '../config.ts';
import { createAppRunnerClient, createAppRunnerGateway } from './app-runner.ts';
import { createBakeLedger } from './bake-ledger.ts';
import { createAlarmsGateway, createCloudWatchClient } from './cloudwatch.ts';
import { createEcrClient, createImageDigestResolver } from './ecr.ts';
import type { GuardEventPublisher } from './guard-events.ts';
import { createLedgerGateway } from './ledger.ts';
import { createGuardWakeUps } from './scheduler.ts';

/**
 * The ports record-release and rollback share: App Runner, image digests (ECR), the release
 * ledger and the guard's event publisher, and the bake window's (CloudWatch alarms, bake records,
 * wake-ups). Call once per container.
 */
export function createReleasePorts(
  config: GuardConfig,
  dynamo: DynamoDBClient,
  publisher: GuardEventPublisher,
) {
  return {
    appRunner: createAppRunnerGateway(createAppRunnerClient()),
    images: createImageDigestResolver(createEcrClient(), { region: config.region }),
    ledger: createLedgerGateway(dynamo, config.ledgerTable),
    publisher,
    alarms: createAlarmsGateway(createCloudWatchClient()),
    bakes: createBakeLedger(dynamo, config.ledgerTable),
    wakeUps: createGuardWakeUps(config),
  };
}
