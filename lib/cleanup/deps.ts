import type { AppRunnerPort } from '../aws/app-runner.ts';
import type { GuardEventPublisher } from '../aws/guard-events.ts';
import type { SchedulerPort } from '../aws/scheduler.ts';
import type { SnapshotStore } from '../aws/snapshots.ts';
import type { CleanupSettings } from './plan.ts';

/** The ports and settings the cleanup use cases run with (created once per container). */
export interface CleanupDeps {
  appRunner: AppRunnerPort;
  scheduler: SchedulerPort;
  snapshots: SnapshotStore;
  publisher: GuardEventPublisher;
  settings: CleanupSettings;
  /** Target of the one-time deletion schedules: the cleanup function itself. */
  cleanupFunctionArn: string;
  /** The guard's account and region (fleet-wide records, quota warnings). */
  accountId: string;
  region: string;
}
