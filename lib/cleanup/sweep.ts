import { describeError, errorNameOf, isRetryable, RetryAfterError } from '../core/errors.ts';
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { JobResult, RunContext } from '../core/handler-stack.ts';
import type { ServiceSummaryView } from '../core/ports/app-runner.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import type { CleanupDeps } from './deps.ts';
import { cleanupEvent } from './events.ts';
import { handleFailedService } from './handle-failed-service.ts';
import { planSweep } from './plan.ts';

/**
 * How long a sweep that met retryable errors waits before it sweeps again: well inside the hourly
 * schedule, so a throttled or briefly unavailable App Runner does not cost an hour.
 */
export const SWEEP_RETRY_SECONDS = 15 * 60;

/** Per-sweep tallies, returned in the result. */
export interface SweepSummary {
  services: number;
  createFailed: number;
  deleteFailed: number;
  /** Services in any other status: never touched. */
  untouched: number;
  scheduled: number;
  deleted: number;
  kept: number;
  gaveUp: number;
  /** Failed services needing nothing (already scheduled, already handled, gone meanwhile). */
  unchanged: number;
  errors: number;
  quota: { used: number; limit: number; percent: number; warned: boolean };
}

/**
 * The periodic sweep: lists every service (paginated), hands each CREATE_FAILED and DELETE_FAILED
 * one to {@link handleFailedService} exactly as if its event had arrived (so a lost event is
 * caught: young failures get their deletion scheduled, failures past the grace period are
 * deleted now, failed deletions are retried), and warns when the service count nears the quota.
 * One service's error does not stop the others: terminal ones are alerted (once a day per
 * service); retryable ones make the sweep come back later ({@link SWEEP_RETRY_SECONDS}, a
 * `RetryAfterError`: the handler stack wakes it again, up to the cleanup job's maximum wait, then
 * alerts), harmlessly, since every step is idempotent.
 */
export async function runSweep(
  payload: { scheduledTime: string },
  deps: CleanupDeps,
  ctx: Pick<RunContext, 'logger'>,
): Promise<JobResult> {
  const now = new Date(payload.scheduledTime);
  const trigger = `sweep@${payload.scheduledTime}`;
  const services: ServiceSummaryView[] = [];
  for await (const s of deps.appRunner.listServices()) services.push(s);
  const plan = planSweep(services, deps.settings, now);

  const summary: SweepSummary = {
    ...plan.counts,
    scheduled: 0,
    deleted: 0,
    kept: 0,
    gaveUp: 0,
    unchanged: 0,
    errors: 0,
    quota: { used: plan.quota.used, limit: plan.quota.limit, percent: plan.quota.percent, warned: false },
  };
  const retryable: string[] = [];

  for (const { service: s, failedAt } of plan.failed) {
    const ref = parseServiceArn(s.arn);
    if (!ref) continue;
    try {
      const r = await handleFailedService({ service: ref, trigger, now, failedAt }, deps);
      if (r.outcome === 'noop') summary.unchanged++;
      else if (r.action === 'schedule-deletion') summary.scheduled++;
      else if (r.action === 'delete-service' && r.outcome === 'acted') summary.deleted++;
      else if (r.outcome === 'failed') summary.gaveUp++;
      else summary.kept++;
    } catch (error) {
      summary.errors++;
      ctx.logger.error('sweep could not handle a service', {
        serviceArn: s.arn,
        error: describeError(error),
      });
      if (isRetryable(error)) {
        retryable.push(`${s.name}: ${describeError(error)}`);
        continue;
      }
      const day = now.toISOString().slice(0, 10);
      if (await deps.snapshots.claim({ serviceArn: s.arn }, `sweep-error#${day}`, trigger, now)) {
        await deps.publisher.publish([
          cleanupEvent({
            detailType: GUARD_DETAIL_TYPES.cleanupFailed,
            outcome: 'failed',
            action: 'none',
            reason: `The sweep could not handle this ${s.status} service: ${describeError(error)}. A human should look.`,
            service: ref,
            trigger,
            dryRun: deps.settings.dryRun,
            details: { status: s.status, error: errorNameOf(error as Error) },
          }),
        ]);
      }
    }
  }

  const { level } = plan.quota;
  if (level !== undefined) {
    const claim = `quota#${now.toISOString().slice(0, 10)}#${level}`;
    if (await deps.snapshots.claim({ account: deps.accountId, region: deps.region }, claim, trigger, now)) {
      summary.quota.warned = true;
      await deps.publisher.publish([
        cleanupEvent({
          detailType: GUARD_DETAIL_TYPES.quotaWarning,
          outcome: 'acted',
          action: 'warn-quota',
          reason: `${plan.quota.used} of ${plan.quota.limit} App Runner services in ${deps.region} are in use (${plan.quota.percent} %); new services fail once the quota is reached. ${summary.createFailed} CREATE_FAILED and ${summary.deleteFailed} DELETE_FAILED services count toward it.`,
          trigger,
          dryRun: deps.settings.dryRun,
          details: {
            used: plan.quota.used,
            limit: plan.quota.limit,
            percent: plan.quota.percent,
            level,
            createFailed: summary.createFailed,
            deleteFailed: summary.deleteFailed,
          },
        }),
      ]);
    }
  }

  if (retryable.length > 0) {
    throw new RetryAfterError(
      `sweep: ${retryable.length} service(s) need another try: ${retryable.join('; ')}`,
      SWEEP_RETRY_SECONDS,
    );
  }
  const acted = summary.scheduled + summary.deleted + summary.kept + summary.gaveUp + summary.errors;
  const reason = `Swept ${summary.services} service(s): ${summary.createFailed} CREATE_FAILED, ${summary.deleteFailed} DELETE_FAILED; ${summary.scheduled} deletion(s) scheduled, ${summary.deleted} deleted, ${summary.kept} kept, ${summary.gaveUp} given up, ${summary.unchanged} unchanged, ${summary.errors} error(s); quota ${summary.quota.used}/${summary.quota.limit} (${summary.quota.percent} %).`;
  return {
    outcome: summary.errors > 0 ? 'failed' : acted > 0 || summary.quota.warned ? 'acted' : 'noop',
    reason,
    summary,
    dryRun: deps.settings.dryRun,
  };
}
