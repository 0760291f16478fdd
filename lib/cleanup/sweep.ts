import { describeError, errorNameOf, isRetryable, RetryAfterError } from '../core/errors.ts';
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { JobResult, RunContext } from '../core/handler-stack.ts';
import type { ServiceSummaryView } from '../core/ports/app-runner.ts';
import { type Target, targetLabel } from '../core/ports/targets.ts';
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

/** One target's part of a sweep. */
interface TargetSweep {
  summary: SweepSummary;
  /** Services (or the whole target) to try again: the sweep throws after the others. */
  retryable: string[];
  /** Set when the target could not be swept at all (its role refused, its API down). */
  error?: string;
}

const emptySummary = (): SweepSummary => ({
  services: 0,
  createFailed: 0,
  deleteFailed: 0,
  untouched: 0,
  scheduled: 0,
  deleted: 0,
  kept: 0,
  gaveUp: 0,
  unchanged: 0,
  errors: 0,
  quota: { used: 0, limit: 0, percent: 0, warned: false },
});

/**
 * The periodic sweep, across every target in parallel (docs/architecture.md, "Many accounts and
 * regions"): in each, lists every service (paginated), hands each CREATE_FAILED and DELETE_FAILED
 * one to {@link handleFailedService} exactly as if its event had arrived (so a lost event is
 * caught: young failures get their deletion scheduled, failures past the grace period are
 * deleted now, failed deletions are retried), and warns when the target's service count nears the
 * quota. One service's error does not stop the others, nor one target's the other targets:
 * terminal ones are alerted (once a day per service or target); retryable ones make the sweep
 * come back later ({@link SWEEP_RETRY_SECONDS}, a `RetryAfterError`: the handler stack wakes it
 * again, up to the cleanup job's maximum wait, then alerts), harmlessly, since every step is
 * idempotent.
 */
export async function runSweep(
  payload: { scheduledTime: string },
  deps: CleanupDeps,
  ctx: Pick<RunContext, 'logger'>,
): Promise<JobResult> {
  const now = new Date(payload.scheduledTime);
  const trigger = `sweep@${payload.scheduledTime}`;
  const targets = deps.targets.listTargets();
  const parts = await Promise.all(
    targets.map(async (target): Promise<TargetSweep> => {
      try {
        return await sweepTarget(target, now, trigger, deps, ctx);
      } catch (error) {
        return targetFailed(target, error, now, trigger, deps, ctx);
      }
    }),
  );

  const summary = emptySummary();
  for (const { summary: p } of parts) {
    for (const key of Object.keys(summary) as Array<keyof SweepSummary>) {
      if (key !== 'quota') summary[key] += p[key];
    }
    summary.quota.used += p.quota.used;
    summary.quota.limit += p.quota.limit;
    summary.quota.warned ||= p.quota.warned;
  }
  summary.quota.percent = summary.quota.limit
    ? Math.round((summary.quota.used / summary.quota.limit) * 100)
    : 0;
  const retryable = parts.flatMap((p) => p.retryable);
  if (retryable.length > 0) {
    throw new RetryAfterError(
      `sweep: ${retryable.length} item(s) need another try: ${retryable.join('; ')}`,
      SWEEP_RETRY_SECONDS,
    );
  }
  const failedTargets = parts.filter((p) => p.error !== undefined).length;
  const acted = summary.scheduled + summary.deleted + summary.kept + summary.gaveUp + summary.errors;
  const where =
    targets.length > 1
      ? ` in ${targets.length} target(s)${failedTargets ? ` (${failedTargets} could not be swept)` : ''}`
      : '';
  const reason = `Swept ${summary.services} service(s)${where}: ${summary.createFailed} CREATE_FAILED, ${summary.deleteFailed} DELETE_FAILED; ${summary.scheduled} deletion(s) scheduled, ${summary.deleted} deleted, ${summary.kept} kept, ${summary.gaveUp} given up, ${summary.unchanged} unchanged, ${summary.errors} error(s); quota ${summary.quota.used}/${summary.quota.limit} (${summary.quota.percent} %).`;
  return {
    outcome:
      summary.errors > 0 || failedTargets > 0
        ? 'failed'
        : acted > 0 || summary.quota.warned
          ? 'acted'
          : 'noop',
    reason,
    summary,
    targets: targets.map((t, i) => ({
      account: t.account,
      region: t.region,
      services: parts[i]!.summary.services,
      ...(parts[i]!.error ? { error: parts[i]!.error } : {}),
    })),
    dryRun: deps.settings.dryRun,
  };
}

/**
 * A target the sweep could not list: retryable (throttling, an outage) → the sweep is retried;
 * terminal (the spoke role is missing or refuses) → alerted once a day for that target, and the
 * other targets' results stand.
 */
async function targetFailed(
  target: Target,
  error: unknown,
  now: Date,
  trigger: string,
  deps: CleanupDeps,
  ctx: Pick<RunContext, 'logger'>,
): Promise<TargetSweep> {
  const label = targetLabel(target);
  ctx.logger.error('sweep could not list a target', { target: label, error: describeError(error) });
  if (isRetryable(error))
    return { summary: emptySummary(), retryable: [`${label}: ${describeError(error)}`] };
  const day = now.toISOString().slice(0, 10);
  if (await deps.snapshots.claim(target, `sweep-target-error#${day}`, trigger, now)) {
    await deps.publisher.publish([
      cleanupEvent({
        detailType: GUARD_DETAIL_TYPES.cleanupFailed,
        outcome: 'failed',
        action: 'none',
        reason: `The sweep could not list the services in ${label}: ${describeError(error)}. Failed services there are not cleaned up until this is fixed; the other targets were swept.`,
        where: target,
        trigger,
        dryRun: deps.settings.dryRun,
        details: { account: target.account, region: target.region, error: errorNameOf(error as Error) },
      }),
    ]);
  }
  return { summary: emptySummary(), retryable: [], error: describeError(error) };
}

/** Sweeps one target (account × region). */
async function sweepTarget(
  target: Target,
  now: Date,
  trigger: string,
  deps: CleanupDeps,
  ctx: Pick<RunContext, 'logger'>,
): Promise<TargetSweep> {
  const services: ServiceSummaryView[] = [];
  for await (const s of deps.targets.appRunnerIn(target).listServices()) services.push(s);
  const plan = planSweep(services, deps.settings, now);
  const label = targetLabel(target);

  const summary: SweepSummary = {
    ...emptySummary(),
    ...plan.counts,
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
    if (await deps.snapshots.claim(target, claim, trigger, now)) {
      summary.quota.warned = true;
      await deps.publisher.publish([
        cleanupEvent({
          detailType: GUARD_DETAIL_TYPES.quotaWarning,
          outcome: 'acted',
          action: 'warn-quota',
          reason: `${plan.quota.used} of ${plan.quota.limit} App Runner services in ${target.region} (account ${target.account}) are in use (${plan.quota.percent} %); new services fail once the quota is reached. ${summary.createFailed} CREATE_FAILED and ${summary.deleteFailed} DELETE_FAILED services count toward it.`,
          where: target,
          trigger,
          dryRun: deps.settings.dryRun,
          details: {
            account: target.account,
            region: target.region,
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
  if (services.length === 0) ctx.logger.debug('sweep: no services', { target: label });
  return { summary, retryable };
}
