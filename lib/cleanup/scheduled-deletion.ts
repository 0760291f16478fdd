import { RetryAfterError } from '../core/errors.ts';
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { JobResult } from '../core/handler-stack.ts';
import { parseServiceArn, type ServiceRef } from '../events/app-runner.ts';
import type { CleanupDeps } from './deps.ts';
import { cleanupEvent, dryRunReason } from './events.ts';
import { deleteServiceOnce } from './handle-failed-service.ts';
import { observeService, summarizeOperations } from './observe.ts';
import { planScheduledDeletion } from './plan.ts';

/** A deletion schedule firing (`action: delete-failed-service`). */
export interface ScheduledDeletion {
  serviceArn: string;
  /** Filled by Scheduler: the decision's "now". */
  scheduledTime: string;
  attempt: number;
  /** The snapshot taken when the failure was reported. */
  snapshotKey?: string;
}

/**
 * Runs a firing deletion schedule: re-observes the service and deletes it only if it is still
 * CREATE_FAILED (or DELETE_FAILED, for a retry) and still not opted out. A repaired or re-tagged
 * service is kept (`Failed Service Kept`); a service already gone is a silent no-op; a busy one
 * comes back later (`RetryAfterError`: the handler stack wakes the same payload again, up to the
 * job's maximum wait, then `Cleanup Failed`). Before deleting, a last snapshot is stored. A deletion that later
 * ends in DELETE_FAILED is picked up by its status event (or the sweep) and retried with back-off.
 */
export async function runScheduledDeletion(
  payload: ScheduledDeletion,
  deps: CleanupDeps,
): Promise<JobResult> {
  const { settings } = deps;
  const now = new Date(payload.scheduledTime);
  const trigger = `delete-failed-service@${payload.scheduledTime}`;
  const service = parseServiceArn(payload.serviceArn) as ServiceRef;
  const obs = await observeService(deps.appRunner, deps.snapshots, payload.serviceArn);
  const status = obs.service?.status;
  const plan = planScheduledDeletion(
    {
      status,
      optedOut: obs.optedOut,
      failedDeletions: obs.failedDeletions,
      attempt: payload.attempt,
      ...(obs.service?.updatedAt ? { occurrence: obs.service.updatedAt } : {}),
    },
    settings,
  );
  const base = { serviceArn: payload.serviceArn, attempt: payload.attempt };
  if (plan.kind === 'noop') return { outcome: 'noop', reason: plan.reason, ...base };
  if (plan.kind === 'defer') throw new RetryAfterError(plan.reason, plan.retryAfterSeconds);

  const common = {
    service,
    trigger,
    dryRun: settings.dryRun,
  };
  const failureDetails = {
    status,
    failureSnapshotKey: payload.snapshotKey,
    lastOperations: summarizeOperations(obs.operations),
  };

  if (plan.kind === 'keep') {
    // The sweep may meet the same opted-out service later: one claim, one `Failed Service Kept`.
    if (
      plan.claim &&
      !(await deps.snapshots.claim({ serviceArn: payload.serviceArn }, plan.claim, trigger, now))
    ) {
      return { outcome: 'noop', reason: `Already kept (${plan.claim}); nothing more to do.`, ...base };
    }
    await deps.publisher.publish([
      cleanupEvent({
        ...common,
        detailType: GUARD_DETAIL_TYPES.serviceKept,
        outcome: plan.outcome,
        action: 'none',
        reason: plan.reason,
        details: { ...failureDetails, snapshotKey: payload.snapshotKey },
      }),
    ]);
    return { outcome: plan.outcome, reason: plan.reason, ...base };
  }

  const snapshot = await deps.snapshots.saveSnapshot({
    serviceArn: payload.serviceArn,
    at: now,
    trigger,
    body: {
      version: 1,
      why: plan.kind === 'delete' ? 'before deletion' : 'deletion given up',
      capturedAt: now.toISOString(),
      trigger,
      failureSnapshotKey: payload.snapshotKey,
      service: obs.service,
      tags: obs.tags,
      operations: obs.operations,
    },
  });
  const details = {
    ...failureDetails,
    snapshotKey: snapshot.key,
    snapshotTruncated: snapshot.truncated || undefined,
    maxDeleteAttempts: settings.maxDeleteAttempts,
  };

  if (plan.kind === 'give-up') {
    // The DELETE_FAILED event may have given up already: one alert per service.
    if (!(await deps.snapshots.claim({ serviceArn: payload.serviceArn }, plan.claim, trigger, now))) {
      return {
        outcome: 'noop',
        reason: 'The guard already gave up on this service and alerted; nothing more.',
        ...base,
      };
    }
    await deps.publisher.publish([
      cleanupEvent({
        ...common,
        detailType: GUARD_DETAIL_TYPES.cleanupFailed,
        outcome: 'failed',
        action: 'delete-service',
        reason: plan.reason,
        details: {
          ...details,
          attempt: plan.attempt,
          next: 'Nothing more from the guard: look at the service and its operations, then delete it by hand.',
        },
      }),
    ]);
    return { outcome: 'failed', reason: plan.reason, ...base, snapshotKey: snapshot.key };
  }

  let operationId: string | undefined;
  if (!settings.dryRun) {
    await deps.snapshots.recordDeletionAttempt(payload.serviceArn, plan.attempt, now);
    const out = await deleteServiceOnce(deps, payload.serviceArn);
    if (!out.deleted) {
      return { outcome: 'noop', reason: 'The service disappeared before deletion; nothing to do.', ...base };
    }
    operationId = out.operationId;
  }
  const reason = dryRunReason(settings.dryRun, 'delete it', plan.reason);
  await deps.publisher.publish([
    cleanupEvent({
      ...common,
      detailType: GUARD_DETAIL_TYPES.serviceDeleted,
      outcome: 'acted',
      action: 'delete-service',
      reason,
      details: {
        ...details,
        attempt: plan.attempt,
        operationId,
        next: 'Deletion started. If it ends in DELETE_FAILED the guard retries with back-off, then asks a human.',
      },
    }),
  ]);
  return {
    outcome: 'acted',
    reason,
    action: 'delete-service',
    ...base,
    snapshotKey: snapshot.key,
    dryRun: settings.dryRun,
  };
}
