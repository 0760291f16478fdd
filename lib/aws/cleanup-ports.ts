import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GuardConfig } from '../config.ts';
import type { GuardEventPublisher } from './guard-events.ts';
import { createGuardScheduler, createGuardWakeUps } from './scheduler.ts';
import { createSnapshotStore } from './snapshots.ts';
import type { GuardTargetPorts } from './targets.ts';

/**
 * What the cleanup job works with: App Runner in every target, the guard's one-time schedules,
 * forensic snapshots in the ledger table, the event publisher, and its settings. Call once per
 * container.
 */
export function createCleanupDeps(
  config: GuardConfig,
  dynamo: DynamoDBClient,
  publisher: GuardEventPublisher,
  targets: GuardTargetPorts,
) {
  return {
    appRunner: targets.appRunner,
    targets: targets.targets,
    scheduler: createGuardScheduler(config),
    wakeUps: createGuardWakeUps(config),
    snapshots: createSnapshotStore(dynamo, config.ledgerTable),
    publisher,
    settings: config.cleanup,
  };
}
