import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GuardConfig } from '../config.ts';
import { createBakeLedger } from './bake-ledger.ts';
import { createAlarmGateways } from './cloudwatch.ts';
import type { GuardEventPublisher } from './guard-events.ts';
import { createLedgerGateway } from './ledger.ts';
import { createGuardWakeUps } from './scheduler.ts';
import type { GuardTargetPorts } from './targets.ts';

/**
 * The ports the release jobs share (record-release, rollback, fix-forward, slack-actions-job): App
 * Runner and image digests (ECR) in the account and region each service or registry is in
 * (`createTargetPorts`), the release ledger and its bake records, and the guard's event publisher
 * (the hub's). Call once per container.
 */
export function createReleasePorts(
  config: GuardConfig,
  dynamo: DynamoDBClient,
  publisher: GuardEventPublisher,
  targets: GuardTargetPorts,
) {
  return {
    appRunner: targets.appRunner,
    images: targets.images,
    ledger: createLedgerGateway(dynamo, config.ledgerTable),
    bakes: createBakeLedger(dynamo, config.ledgerTable),
    publisher,
  };
}

/**
 * Record-release's ports: the shared ones, plus what only starting and ending a bake needs
 * (CloudWatch alarms, per service and per target; wake-ups), kept out of the other functions' bundles. Call once per container.
 */
export function createRecordReleasePorts(
  config: GuardConfig,
  dynamo: DynamoDBClient,
  publisher: GuardEventPublisher,
  targets: GuardTargetPorts,
) {
  return {
    ...createReleasePorts(config, dynamo, publisher, targets),
    ...createAlarmGateways(targets.clientOptionsFor),
    wakeUps: createGuardWakeUps(config),
  };
}
