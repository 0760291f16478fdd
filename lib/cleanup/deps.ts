import type { GuardEventPublisher } from '../core/guard-event.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { SnapshotStore } from '../core/ports/cleanup-records.ts';
import type { SchedulerPort } from '../core/ports/scheduler.ts';
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
