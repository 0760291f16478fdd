import { FAILED_SERVICE_STATUSES } from '../core/app-runner-facts.ts';
import { addMinutes } from '../core/time.ts';
import type { ServiceStatus } from '../events/app-runner.ts';

/**
 * Pure planning for the cleanup job: functions of what was observed, returning what to do and
 * one human sentence saying why. No I/O, no clock: "now" is always an argument.
 */

/** The cleanup settings the planners need (from `config.cleanup`). */
export interface CleanupSettings {
  graceMinutes: number;
  maxDeleteAttempts: number;
  serviceQuota: number;
  dryRun: boolean;
}

/** The two statuses cleanup acts on. Every other status is left alone. */
export const FAILED_STATUSES: readonly ServiceStatus[] = FAILED_SERVICE_STATUSES;

/** Statuses a failed service reaches when someone repairs it (UpdateService, since 2023). */
const REPAIRED_STATUSES: readonly ServiceStatus[] = ['RUNNING', 'PAUSED'];

/** First retry waits 5 minutes after a failed deletion, then 10, 20, … capped at a day. */
export const RETRY_BASE_MINUTES = 5;

/**
 * How long a scheduled deletion that finds an operation in progress (a repair, a deletion) waits
 * before it looks again: it comes back later (retry after a delay), up to the cleanup job's
 * maximum wait.
 */
export const BUSY_RETRY_SECONDS = 5 * 60;
const RETRY_CAP_MINUTES = 24 * 60;

/** Minutes to wait before deletion attempt `attempt` (1-based retries of a failed deletion). */
export function retryDelayMinutes(attempt: number): number {
  return Math.min(RETRY_BASE_MINUTES * 2 ** Math.max(0, attempt - 1), RETRY_CAP_MINUTES);
}

/**
 * Deterministic name of the one-time schedule for deletion attempt `attempt` of a service:
 * `cleanup-<service id>-<attempt>` (at most 44 characters). Twin events, retries and the sweep
 * compute the same name, so the schedule is created once. Attempt 0 is the deletion after the
 * grace period; attempt n ≥ 1 retries after the n-th failed deletion, so a retry never reuses the
 * name of the schedule that is firing (and may not be deleted yet).
 */
export function scheduleNameFor(serviceId: string, attempt: number): string {
  return `cleanup-${serviceId}-${attempt}`;
}

/** The deletion attempt a failed service is at: 0 for CREATE_FAILED, n ≥ 1 after n failed deletions. */
export function attemptFor(status: ServiceStatus, failedDeletions: number): number {
  return status === 'DELETE_FAILED' ? Math.max(1, failedDeletions) : 0;
}

/**
 * The ledger claim of "kept, opted out" for one occurrence of a failure. The failure event, the
 * sweep and a firing deletion schedule all claim the same one, so on-call hears it once.
 */
export function keepClaimFor(status: ServiceStatus, failedDeletions: number, occurrence?: string): string {
  const claim = `keep#${status}#${attemptFor(status, failedDeletions)}`;
  return occurrence ? `${claim}#${occurrence}` : claim;
}

/** What is known about a failed service when its failure is reported (event or sweep). */
export interface FailedServiceObservation {
  /** Live status; `undefined` when the service no longer exists. */
  status: ServiceStatus | undefined;
  optedOut: boolean;
  /** Deletions that failed so far (guard's own count or App Runner's operations, whichever is higher). */
  failedDeletions: number;
  /** Name of the deletion schedule already pending for this attempt, if any. */
  pendingSchedule: string | undefined;
  /** When the service failed: the event time, or the service's UpdatedAt in a sweep. */
  failedAt: Date;
  /** The trigger's time. */
  now: Date;
  /**
   * Identifies this occurrence of the failure: the service's UpdatedAt. Twin events and the sweep
   * see the same one; a repair that fails again starts a new occurrence (and a new grace period).
   */
  occurrence?: string;
}

/** What to do about a reported failure. `claim` makes the outcome event once-only per failure. */
export type FailedServicePlan =
  | { kind: 'noop'; reason: string }
  | { kind: 'keep'; reason: string; claim: string; attempt: number }
  | { kind: 'give-up'; reason: string; claim: string; attempt: number }
  | { kind: 'schedule-deletion'; reason: string; claim: string; attempt: number; deleteAt: Date }
  | { kind: 'delete-now'; reason: string; claim: string; attempt: number };

/**
 * Plans the response to a failed service (CREATE_FAILED, DELETE_FAILED), reported by an event or
 * found by the sweep. CREATE_FAILED: delete `graceMinutes` after the failure, so a human can look
 * and the service can be repaired; DELETE_FAILED: retry after an exponential back-off, until
 * `maxDeleteAttempts` deletions have failed, then give up and ask a human. When the deletion time
 * has already passed (a sweep finding an old failure) the service is deleted now.
 */
export function planFailedService(
  obs: FailedServiceObservation,
  settings: CleanupSettings,
): FailedServicePlan {
  const { status } = obs;
  const of = (claim: string) => (obs.occurrence ? `${claim}#${obs.occurrence}` : claim);
  if (status === undefined)
    return { kind: 'noop', reason: 'The service no longer exists; nothing to clean up.' };
  if (!FAILED_STATUSES.includes(status)) {
    return { kind: 'noop', reason: `The service is ${status} now, not failed; nothing to clean up.` };
  }
  if (obs.pendingSchedule) {
    return {
      kind: 'noop',
      reason: `Deletion is already scheduled (${obs.pendingSchedule}); it re-checks the service when it fires.`,
    };
  }
  const attempt = attemptFor(status, obs.failedDeletions);
  if (obs.optedOut) {
    return {
      kind: 'keep',
      attempt,
      claim: keepClaimFor(status, obs.failedDeletions, obs.occurrence),
      reason: `The service is ${status} but opted out of cleanup (apprunner-guard:cleanup=off); kept. Delete it by hand when done.`,
    };
  }
  if (status === 'DELETE_FAILED' && attempt >= settings.maxDeleteAttempts) {
    return {
      kind: 'give-up',
      attempt,
      claim: 'give-up',
      reason: `Deletion failed ${attempt} time(s) (DELETE_FAILED), the limit is ${settings.maxDeleteAttempts}; the guard stops retrying. A human should look.`,
    };
  }
  const delayMinutes = status === 'CREATE_FAILED' ? settings.graceMinutes : retryDelayMinutes(attempt);
  const deleteAt = addMinutes(obs.failedAt, delayMinutes);
  const what =
    status === 'CREATE_FAILED'
      ? 'The service failed to create (CREATE_FAILED)'
      : `Deletion of the service failed (DELETE_FAILED, ${attempt} of ${settings.maxDeleteAttempts} attempts)`;
  if (deleteAt.getTime() <= obs.now.getTime()) {
    return {
      kind: 'delete-now',
      attempt,
      claim: of(`delete#${status}#${attempt}`),
      reason: `${what} at ${obs.failedAt.toISOString()}, ${delayMinutes} minutes or more ago; deleting it now.`,
    };
  }
  return {
    kind: 'schedule-deletion',
    attempt,
    deleteAt,
    claim: of(`schedule#${status}#${attempt}`),
    reason:
      status === 'CREATE_FAILED'
        ? `${what}; deletion scheduled for ${deleteAt.toISOString()} unless it is repaired or tagged apprunner-guard:cleanup=off.`
        : `${what}; deletion retry scheduled for ${deleteAt.toISOString()}.`,
  };
}

/** What is known when a deletion schedule fires. */
export interface ScheduledDeletionObservation {
  /** Live status; `undefined` when the service no longer exists. */
  status: ServiceStatus | undefined;
  optedOut: boolean;
  failedDeletions: number;
  /** The attempt the schedule was created for. */
  attempt: number;
  /** This occurrence of the failure (the service's UpdatedAt), as in `FailedServiceObservation`. */
  occurrence?: string;
}

/** What to do when a deletion schedule fires. */
export type ScheduledDeletionPlan =
  | { kind: 'noop'; reason: string }
  /** Come back after `retryAfterSeconds` and look again. */
  | { kind: 'defer'; reason: string; retryAfterSeconds: number }
  /** `claim`: the ledger claim shared with the event and sweep path (an opted-out failed service). */
  | { kind: 'keep'; reason: string; outcome: 'noop' | 'skipped'; claim?: string }
  | { kind: 'give-up'; reason: string; claim: string; attempt: number }
  /** `attempt` is the 1-based number of the deletion being started. */
  | { kind: 'delete'; reason: string; attempt: number };

/**
 * Plans a firing deletion schedule. The service may have changed during the grace period: it is
 * deleted only if it is still CREATE_FAILED (or DELETE_FAILED, for a retry) and still not opted
 * out. Repaired, re-tagged and already deleted services are left alone, each with its reason.
 */
export function planScheduledDeletion(
  obs: ScheduledDeletionObservation,
  settings: CleanupSettings,
): ScheduledDeletionPlan {
  const { status } = obs;
  if (status === undefined || status === 'DELETED') {
    return {
      kind: 'noop',
      reason: 'The service is already deleted (by hand or by an earlier attempt); nothing to do.',
    };
  }
  if (REPAIRED_STATUSES.includes(status)) {
    return {
      kind: 'keep',
      outcome: 'noop',
      reason: `The service was repaired during the grace period (now ${status}); kept.`,
    };
  }
  if (status === 'OPERATION_IN_PROGRESS') {
    return {
      kind: 'defer',
      retryAfterSeconds: BUSY_RETRY_SECONDS,
      reason: `An operation is in progress on the service (a repair or a deletion); not deleting now. The guard looks again in ${BUSY_RETRY_SECONDS / 60} minutes.`,
    };
  }
  if (obs.optedOut) {
    return {
      kind: 'keep',
      outcome: 'skipped',
      claim: keepClaimFor(status, obs.failedDeletions, obs.occurrence),
      reason: `The service is ${status} but was tagged apprunner-guard:cleanup=off during the grace period; kept.`,
    };
  }
  if (status === 'DELETE_FAILED' && obs.failedDeletions >= settings.maxDeleteAttempts) {
    return {
      kind: 'give-up',
      attempt: obs.failedDeletions,
      claim: 'give-up',
      reason: `Deletion failed ${obs.failedDeletions} time(s) (DELETE_FAILED), the limit is ${settings.maxDeleteAttempts}; the guard stops retrying. A human should look.`,
    };
  }
  const attempt = Math.max(obs.attempt, obs.failedDeletions) + 1;
  return {
    kind: 'delete',
    attempt,
    reason:
      status === 'CREATE_FAILED'
        ? 'The service is still CREATE_FAILED after the grace period; deleting it.'
        : `The service is DELETE_FAILED; retrying its deletion (attempt ${attempt} of ${settings.maxDeleteAttempts}).`,
  };
}

/** A service as the sweep sees it in `ListServices`. */
export interface SweepServiceInput {
  arn: string;
  id: string;
  name: string;
  status: ServiceStatus;
  createdAt?: string;
  updatedAt?: string;
}

/** The quota share at which the sweep warns, and the levels it warns at (once a day each). */
export const QUOTA_WARNING_LEVELS = [80, 90, 100] as const;

/** The sweep's plan: the failed services to handle and the quota check. */
export interface SweepPlan {
  /** Failed services, with when they failed (UpdatedAt, else CreatedAt, else now). */
  failed: Array<{ service: SweepServiceInput; failedAt: Date }>;
  counts: { services: number; createFailed: number; deleteFailed: number; untouched: number };
  quota: {
    used: number;
    limit: number;
    percent: number;
    level: (typeof QUOTA_WARNING_LEVELS)[number] | undefined;
  };
}

/**
 * Plans a sweep over every service of the region. It selects every CREATE_FAILED and
 * DELETE_FAILED service (the per-service planner then decides: schedule, delete now, keep or
 * nothing) and leaves every other status alone; it also measures quota use. Services App Runner
 * already reports as DELETED do not count toward the quota.
 */
export function planSweep(
  services: readonly SweepServiceInput[],
  settings: CleanupSettings,
  now: Date,
): SweepPlan {
  const live = services.filter((s) => s.status !== 'DELETED');
  const failed = live
    .filter((s) => FAILED_STATUSES.includes(s.status))
    .map((service) => {
      const stamp = service.updatedAt ?? service.createdAt;
      const at = stamp === undefined ? Number.NaN : new Date(stamp).getTime();
      return { service, failedAt: Number.isNaN(at) ? now : new Date(at) };
    });
  const percent = Math.floor((live.length / settings.serviceQuota) * 100);
  const level = [...QUOTA_WARNING_LEVELS].reverse().find((l) => percent >= l);
  return {
    failed,
    counts: {
      services: live.length,
      createFailed: failed.filter((f) => f.service.status === 'CREATE_FAILED').length,
      deleteFailed: failed.filter((f) => f.service.status === 'DELETE_FAILED').length,
      untouched: live.length - failed.length,
    },
    quota: { used: live.length, limit: settings.serviceQuota, percent, level },
  };
}
