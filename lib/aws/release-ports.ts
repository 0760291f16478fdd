import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GuardConfig } from '../config.ts';
import type { GuardEventPublisher } from './guard-events.ts';
import { createLedgerGateway } from './ledger.ts';
import type { GuardTargetPorts } from './targets.ts';

/**
 * The ports record-release, rollback, fix-forward and the Slack actions share: App Runner and image
 * digests (ECR) in the account and region each service or registry is in (`createTargetPorts`),
 * the release ledger and the guard's event publisher (the hub's). Call once per container.
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
    publisher,
  };
}
