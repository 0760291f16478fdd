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
 * The ports the release jobs share (record-release, rollback, fix-forward, slack-actions-job): App
 * Runner, image digests (ECR), the release ledger and its bake records, and the guard's event
 * publisher. Call once per container.
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
    bakes: createBakeLedger(dynamo, config.ledgerTable),
    publisher,
  };
}

/**
 * Record-release's ports: the shared ones, plus what only starting and ending a bake needs
 * (CloudWatch alarms, wake-ups), kept out of the other functions' bundles. Call once per container.
 */
export function createRecordReleasePorts(
  config: GuardConfig,
  dynamo: DynamoDBClient,
  publisher: GuardEventPublisher,
) {
  return {
    ...createReleasePorts(config, dynamo, publisher),
    alarms: createAlarmsGateway(createCloudWatchClient()),
    wakeUps: createGuardWakeUps(config),
  };
}
