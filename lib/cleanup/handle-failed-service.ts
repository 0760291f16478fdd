import { isNotFound, RetryAfterError } from '../core/errors.ts';
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { JobResult } from '../core/handler-stack.ts';
import type { ServiceRef } from '../events/app-runner.ts';
import type { CleanupDeps } from './deps.ts';
import { cleanupEvent, dryRunReason } from './events.ts';
import { observeService, summarizeOperations } from './observe.ts';
import {
  attemptFor,
  FAILED_STATUSES,
  type FailedServicePlan,
  planFailedService,
  scheduleNameFor,
} from './plan.ts';

/** A failed service, as reported by an App Runner event or found by the sweep. */
export interface FailureReport {
  service: ServiceRef;
  /** The event id, or `sweep@<scheduled time>`. */
  trigger: string;
  /** The trigger's time: "now" for every decision. */
  now: Date;
  /** When the service failed (event time, or UpdatedAt in a sweep). */
  failedAt: Date;
  /** The App Runner event, when the report came from one (recorded in the snapshot and the alert). */
  event?: { eventId: string; time: string; status: string; message?: string; severity?: string };
}

/** Payload of a deletion schedule, as the cleanup function receives it when it fires. */
export function deletionPayload(serviceArn: string, attempt: number, snapshotKey: string) {
  return {
    action: 'delete-failed-service',
    serviceArn,
    scheduledTime: '<aws.scheduler.scheduled-time>',
    attempt,
    snapshotKey,
  };
}

/**
 * Deletes a service: gone (`NotFoundError`) is a value;
 * an operation in progress (`RetryAfterError`) comes back later — the next attempt
 * re-observes the service first.
 */
export async function deleteServiceOnce(
  deps: CleanupDeps,
  serviceArn: string,
): Promise<{ deleted: true; operationId?: string } | { deleted: false }> {
  try {
    return { deleted: true, ...(await deps.appRunner.deleteService(serviceArn)) };
  } catch (error) {
    if (isNotFound(error)) return { deleted: false };
    if (error instanceof RetryAfterError) {
      throw new RetryAfterError(
        `DeleteService refused, an operation is in progress: ${error.message}`,
        error.delaySeconds,
        { cause: error },
      );
    }
    throw error;
  }
}

const OUTCOME_OF = {
  keep: {
    detailType: GUARD_DETAIL_TYPES.serviceKept,
    outcome: 'skipped',
    action: 'none',
    wouldDo: 'keep it',
  },
  'give-up': {
    detailType: GUARD_DETAIL_TYPES.cleanupFailed,
    outcome: 'failed',
    action: 'delete-service',
    wouldDo: '',
  },
  'schedule-deletion': {
    detailType: GUARD_DETAIL_TYPES.deletionScheduled,
    outcome: 'acted',
    action: 'schedule-deletion',
    wouldDo: 'schedule its deletion',
  },
  'delete-now': {
    detailType: GUARD_DETAIL_TYPES.serviceDeleted,
    outcome: 'acted',
    action: 'delete-service',
    wouldDo: 'delete it now',
  },
} as const;

/**
 * Handles a failed service: observe → plan ({@link planFailedService}) → snapshot → act →
 * publish exactly one outcome event per failure. Twin events of one failure (the
 * CreateServiceFailed operation and the CREATE_FAILED status) and the sweep all converge: the
 * deletion schedule has a deterministic name, and the outcome event is published only by whoever
 * claims it first in the ledger, so the second arrival does nothing visible.
 */
export async function handleFailedService(report: FailureReport, deps: CleanupDeps): Promise<JobResult> {
  const { settings } = deps;
  const arn = report.service.arn;
  const obs = await observeService(deps.appRunner, deps.snapshots, arn);
  const status = obs.service?.status;
  let pendingSchedule: string | undefined;
  if (obs.service && status && FAILED_STATUSES.includes(status)) {
    const name = scheduleNameFor(obs.service.id, attemptFor(status, obs.failedDeletions));
    if (await deps.scheduler.get(name)) pendingSchedule = name;
  }
  const plan = planFailedService(
    {
      status,
      optedOut: obs.optedOut,
      failedDeletions: obs.failedDeletions,
      pendingSchedule,
      failedAt: report.failedAt,
      now: report.now,
      ...(obs.service?.updatedAt ? { occurrence: obs.service.updatedAt } : {}),
    },
    settings,
  );
  if (plan.kind === 'noop') return { outcome: 'noop', reason: plan.reason, serviceArn: arn };

  const scope = { serviceArn: arn };
  const owner = await deps.snapshots.claimOwner(scope, plan.claim);
  if (owner !== undefined && owner !== report.trigger) {
    return {
      outcome: 'noop',
      reason: `This failure was already handled (${plan.claim}, by ${owner}); nothing more to do.`,
      serviceArn: arn,
    };
  }

  const snapshot = await deps.snapshots.saveSnapshot({
    serviceArn: arn,
    at: report.now,
    trigger: report.trigger,
    body: {
      version: 1,
      why: `${status} reported`,
      capturedAt: report.now.toISOString(),
      trigger: report.trigger,
      service: obs.service,
      tags: obs.tags,
      operations: obs.operations,
      ...(report.event ? { event: report.event } : {}),
    },
  });

  const acted = await act(plan, report, deps, snapshot.key);
  if (!acted.ok) return { outcome: 'noop', reason: acted.reason, serviceArn: arn, snapshotKey: snapshot.key };

  if (!(await deps.snapshots.claim(scope, plan.claim, report.trigger, report.now))) {
    return {
      outcome: 'noop',
      reason: `A twin event or the sweep handled this failure first (${plan.claim}); nothing more to do.`,
      serviceArn: arn,
      snapshotKey: snapshot.key,
    };
  }

  const kind = OUTCOME_OF[plan.kind];
  const deleteAt = plan.kind === 'schedule-deletion' ? plan.deleteAt.toISOString() : undefined;
  // Keeping and giving up change nothing anyway: only an action is worded as "would".
  const acts = plan.kind === 'schedule-deletion' || plan.kind === 'delete-now';
  const reason = acts ? dryRunReason(settings.dryRun, kind.wouldDo, plan.reason) : plan.reason;
  await deps.publisher.publish([
    cleanupEvent({
      detailType: kind.detailType,
      outcome: kind.outcome,
      action: kind.action,
      reason,
      service: report.service,
      trigger: report.trigger,
      dryRun: settings.dryRun,
      details: {
        status,
        failureStatus: report.event?.status,
        failureMessage: report.event?.message,
        failedAt: report.failedAt.toISOString(),
        snapshotKey: snapshot.key,
        snapshotTruncated: snapshot.truncated || undefined,
        deleteAt,
        scheduleName: acted.scheduleName,
        operationId: acted.operationId,
        attempt: plan.attempt,
        maxDeleteAttempts: settings.maxDeleteAttempts,
        graceMinutes: status === 'CREATE_FAILED' ? settings.graceMinutes : undefined,
        lastOperations: summarizeOperations(obs.operations),
        next: nextStep(plan, deleteAt),
      },
    }),
  ]);
  return {
    outcome: kind.outcome,
    reason,
    action: kind.action,
    serviceArn: arn,
    snapshotKey: snapshot.key,
    dryRun: settings.dryRun,
    ...(deleteAt ? { deleteAt } : {}),
  };
}

async function act(
  plan: Exclude<FailedServicePlan, { kind: 'noop' }>,
  report: FailureReport,
  deps: CleanupDeps,
  snapshotKey: string,
): Promise<{ ok: true; scheduleName?: string; operationId?: string } | { ok: false; reason: string }> {
  if (deps.settings.dryRun) return { ok: true };
  const arn = report.service.arn;
  if (plan.kind === 'schedule-deletion') {
    // The wake-up's name is `cleanup-<key>`: the deterministic name the plan looks for.
    const wake = await deps.wakeUps.wakeAt({
      job: 'cleanup',
      key: scheduleNameFor(report.service.id, plan.attempt).slice('cleanup-'.length),
      at: plan.deleteAt,
      now: report.now,
      payload: deletionPayload(arn, plan.attempt, snapshotKey),
      description: `apprunner-guard: delete failed App Runner service ${report.service.name} (attempt ${plan.attempt})`,
    });
    return { ok: true, scheduleName: wake.name };
  }
  if (plan.kind === 'delete-now') {
    await deps.snapshots.recordDeletionAttempt(arn, plan.attempt + 1, report.now);
    const out = await deleteServiceOnce(deps, arn);
    if (!out.deleted) return { ok: false, reason: 'The service disappeared before deletion; nothing to do.' };
    return { ok: true, ...(out.operationId ? { operationId: out.operationId } : {}) };
  }
  return { ok: true };
}

function nextStep(plan: Exclude<FailedServicePlan, { kind: 'noop' }>, deleteAt: string | undefined): string {
  switch (plan.kind) {
    case 'schedule-deletion':
      return `The guard re-checks the service at ${deleteAt} and deletes it only if it is still failed and not tagged apprunner-guard:cleanup=off. Repair it (UpdateService) or tag it to keep it.`;
    case 'delete-now':
      return 'Deletion started; the evidence is in the ledger under the snapshot key. A failed deletion is retried with back-off.';
    case 'keep':
      return 'Nothing: the guard leaves opted-out services alone. Delete it by hand when done.';
    case 'give-up':
      return 'Nothing more from the guard: look at the service and its operations, then delete it by hand.';
  }
}
