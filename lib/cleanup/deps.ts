import type { GuardEventPublisher } from '../core/guard-event.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { SnapshotStore } from '../core/ports/cleanup-records.ts';
import type { SchedulerPort } from '../core/ports/scheduler.ts';
import type { TargetRouter } from '../core/ports/targets.ts';
import type { WakeUps } from '../core/ports/wake-ups.ts';
import type { CleanupSettings } from './plan.ts';

/** The ports and settings the cleanup use cases run with (created once per container). */
export interface CleanupDeps {
  /** App Runner, each call sent to the account and region its service ARN names. */
  appRunner: AppRunnerPort;
  /** Reads the pending deletion schedule (a twin event or the sweep finds it). */
  scheduler: SchedulerPort;
  /** Wakes the cleanup function at the grace period's end to delete the service. */
  wakeUps: WakeUps;
  snapshots: SnapshotStore;
  publisher: GuardEventPublisher;
  settings: CleanupSettings;
  /** The accounts and regions the guard watches: events from elsewhere are rejected, the sweep lists each. */
  targets: TargetRouter;
}
