import { operationsOwnedBy } from '../core/app-runner-facts.ts';
import { describeError, errorNameOf, RetryAfterError, TerminalError } from '../core/errors.ts';
import {
  buildGuardEvent,
  GUARD_DETAIL_TYPES,
  type GuardEventEntry,
  type GuardEventPublisher,
} from '../core/guard-event.ts';
import type { JobResult } from '../core/handler-stack.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { ImageDigestResolver } from '../core/ports/image-registry.ts';
import type { LedgerPort, PinRecord } from '../core/ports/release-ledger.ts';
import type { AppRunnerEvent, OperationStatusEvent, ServiceRef } from '../events/app-runner.ts';
import { isPinnedImage, parseImageIdentifier } from '../release/image.ts';
import type { Tags } from '../tags.ts';
import {
  type ConfiguredImage,
  type ObservedRollback,
  type PinAction,
  planRollback,
  type RollbackPlan,
  type RollbackTrigger,
} from './plan.ts';

/** Operation statuses the rollback job handles: the failures it owns. */
export const ROLLBACK_STATUSES = operationsOwnedBy('rollback');

/** Ports the rollback uses. */
export interface RollbackPorts {
  appRunner: AppRunnerPort;
  images: ImageDigestResolver;
  ledger: LedgerPort;
  publisher: GuardEventPublisher;
}

/** Rollback settings (from `config.rollback`). */
export interface RollbackSettings {
  loopLimit: number;
  loopWindowMinutes: number;
  dryRun: boolean;
}

/** A rollback's result: the job result plus the plan and the guard event published. */
export interface RollbackResult extends JobResult {
  code: RollbackPlan['code'];
  dryRun: boolean;
  plan: RollbackPlan;
  published: GuardEventEntry;
}

/**
 * Observes what the planner needs, read live: the service, its tags and recent operations, the
 * ledger, and the digest the configured image resolves to now. A missing service stops there.
 */
export async function observeRollback(
  serviceArn: string,
  trigger: RollbackTrigger,
  ports: RollbackPorts,
  settings: Pick<RollbackSettings, 'loopLimit' | 'loopWindowMinutes'>,
): Promise<ObservedRollback> {
  const service = await ports.appRunner.describeService(serviceArn);
  const base = {
    trigger,
    service,
    settings: { loopLimit: settings.loopLimit, loopWindowMinutes: settings.loopWindowMinutes },
  };
  if (!service || service.status === 'DELETED') {
    return { ...base, tags: {}, operations: [], releases: [], quarantined: [], rollbacks: [] };
  }
  const [tags, operations, releases, quarantined, rollbacks, configured, pinRelease] = await Promise.all([
    ports.appRunner.listTags(serviceArn),
    ports.appRunner.listOperations(serviceArn, 20),
    ports.ledger.listReleases(serviceArn),
    ports.ledger.listQuarantined(serviceArn),
    ports.ledger.listRollbacks(serviceArn),
    resolveConfigured(service.imageIdentifier, service.imageRepositoryType, ports.images),
    ports.ledger.getPinRelease(serviceArn),
  ]);
  return {
    ...base,
    tags: tags as Tags,
    operations,
    releases,
    quarantined,
    rollbacks,
    ...(configured ? { configured } : {}),
    ...(pinRelease ? { pinRelease } : {}),
  };
}

async function resolveConfigured(
  identifier: string | undefined,
  repositoryType: 'ECR' | 'ECR_PUBLIC' | undefined,
  images: ImageDigestResolver,
): Promise<ConfiguredImage | undefined> {
  if (!identifier) return undefined;
  const r = await images.resolve(identifier, repositoryType);
  if (r.kind === 'resolved') return { identifier, repository: r.repository, digest: r.digest };
  return { identifier, ...(r.repository ? { repository: r.repository } : {}), unresolvedReason: r.reason };
}

const detailTypeOf = (plan: RollbackPlan) =>
  plan.outcome === 'acted'
    ? GUARD_DETAIL_TYPES.rollbackCompleted
    : plan.outcome === 'failed'
      ? GUARD_DETAIL_TYPES.rollbackFailed
      : GUARD_DETAIL_TYPES.rollbackSkipped;

/** An alarm during a bake, as the alert shows it: which alarm, why, and the window. */
export function alarmDetails(t: Extract<RollbackTrigger, { kind: 'alarm' }>): Record<string, unknown> {
  return {
    alarmName: t.alarmName,
    alarmReason: t.alarmReason,
    alarmAt: t.time,
    bakeWindow: `${t.bakeStartedAt} – ${t.bakeUntil} (${t.bakeMinutes} minutes)`,
    candidateDigest: t.candidateDigest,
  };
}

/** What on-call needs to read in the alert, besides the reason. */
function detailsOf(plan: RollbackPlan, o: ObservedRollback, extra: Record<string, unknown>) {
  const t = o.trigger;
  return {
    code: plan.code,
    ...(t.kind === 'event'
      ? { failureStatus: t.status, ...(t.message ? { failureMessage: t.message } : {}) }
      : t.kind === 'alarm'
        ? alarmDetails(t)
        : { manual: true, ...(t.toDigest ? { requestedDigest: t.toDigest } : {}), force: t.force }),
    ...(o.service?.status ? { serviceStatus: o.service.status } : {}),
    ...(o.configured
      ? {
          configuredImage: o.configured.identifier,
          ...(o.configured.digest ? { configuredDigest: o.configured.digest } : {}),
          ...(o.configured.unresolvedReason ? { unresolvedReason: o.configured.unresolvedReason } : {}),
        }
      : {}),
    ...(plan.pin
      ? {
          fromImage: plan.pin.fromImage,
          ...(plan.pin.fromDigest ? { fromDigest: plan.pin.fromDigest } : {}),
          toImage: plan.pin.toImage,
          toDigest: plan.pin.toDigest,
          ...(plan.pin.quarantine ? { quarantinedDigest: plan.pin.quarantine } : {}),
        }
      : {}),
    knownGoodReleases: o.releases.length,
    ...extra,
  };
}

/**
 * Rolls one service back: observe → {@link planRollback} → act → publish exactly one outcome event
 * (`Rollback Completed` / `Rollback Skipped` / `Rollback Failed`). Acting writes a `pending`
 * rollback record, calls `UpdateService` with the digest pin (never a tag), marks the record
 * `started` with the operation id, and quarantines the digest rolled back from. In dry-run it
 * plans and publishes with `dryRun: true` and writes nothing.
 *
 * @throws RetryAfterError when the plan is to defer (an operation is in progress, such as App
 *   Runner's own rollback): the event comes back after {@link ROLLBACK_RETRY_SECONDS}; errors of
 *   the calls propagate for the caller to classify.
 */
export async function rollbackService(
  service: ServiceRef,
  trigger: RollbackTrigger,
  ports: RollbackPorts,
  settings: RollbackSettings,
): Promise<RollbackResult> {
  const observed = await observeRollback(service.arn, trigger, ports, settings);
  const plan = planRollback(observed);
  if (plan.action === 'defer') throw new RetryAfterError(plan.reason, ROLLBACK_RETRY_SECONDS);

  const extra: Record<string, unknown> = {};
  const pin = plan.pin;
  if (pin && !settings.dryRun) {
    // Defence in depth: the planner builds pins with pinnedImage(); a tag must never get through.
    if (!isPinnedImage(pin.toImage))
      throw new TerminalError(`refusing to roll back to ${pin.toImage}: not a digest`);
    const record = {
      serviceArn: service.arn,
      time: trigger.time,
      trigger: trigger.id,
      kind: trigger.kind === 'manual' ? ('manual' as const) : ('automatic' as const),
      fromImage: pin.fromImage,
      ...(pin.fromDigest ? { fromDigest: pin.fromDigest } : {}),
      toImage: pin.toImage,
      toDigest: pin.toDigest,
    };
    if (plan.replay) {
      const previous = observed.rollbacks.find((r) => r.trigger === trigger.id);
      if (previous?.status === 'pending')
        await ports.ledger.recordRollback({ ...previous, status: 'started' });
      if (previous?.operationId) extra.operationId = previous.operationId;
      extra.replay = true;
    } else {
      // Written before acting, so a retry after UpdateService went through reports it instead of acting twice.
      await ports.ledger.recordRollback({ ...record, status: 'pending' });
      // A digest cannot follow pushes: say so to App Runner rather than rely on it accepting the mix.
      // A configuration App Runner already reverted to the pin needs no deployment.
      const out = pin.alreadyConfigured
        ? {}
        : await ports.appRunner.updateImage(service.arn, pin.toImage, { autoDeploymentsEnabled: false });
      await ports.ledger.recordRollback({
        ...record,
        status: 'started',
        ...(out.operationId ? { operationId: out.operationId } : {}),
      });
      if (out.operationId) extra.operationId = out.operationId;
    }
    const pinRecord = await rememberPin(service.arn, pin, observed, trigger, plan, ports.ledger);
    Object.assign(extra, pinDetails(pinRecord));
    // Pinned again: the last release is history (a later failure is not that release's).
    if (observed.pinRelease) await ports.ledger.removePinRelease(service.arn);
    if (pin.quarantine) {
      await ports.ledger.quarantine({
        serviceArn: service.arn,
        digest: pin.quarantine,
        time: trigger.time,
        reason:
          trigger.kind === 'event'
            ? `${trigger.status}: rolled back from ${pin.fromImage}`
            : trigger.kind === 'alarm'
              ? `alarm ${trigger.alarmName} during its bake: rolled back from ${pin.fromImage}`
              : `rolled back by hand from ${pin.fromImage}`,
        trigger: trigger.id,
      });
    }
  }

  if (pin && settings.dryRun) {
    const existing = await ports.ledger.getPin(service.arn);
    Object.assign(extra, pinDetails(existing ?? replacedBy(service.arn, pin, observed, trigger, plan)));
  }

  const entry = buildGuardEvent(detailTypeOf(plan), {
    job: 'rollback',
    outcome: plan.outcome,
    action: plan.action === 'pin-image' ? 'pin-image' : 'none',
    reason: settings.dryRun && pin ? `Dry run, nothing changed: ${plan.reason}` : plan.reason,
    service,
    trigger: trigger.id,
    dryRun: settings.dryRun,
    details: detailsOf(plan, observed, extra),
  });
  const reason = entry.detail.reason;
  await ports.publisher.publish([entry]);
  return {
    outcome: plan.outcome,
    reason,
    code: plan.code,
    dryRun: settings.dryRun,
    plan,
    published: entry,
    ...entry.detail.details,
  };
}

/** The pin record a new pin makes: what the configuration named before it, and the pin. */
function replacedBy(
  serviceArn: string,
  pin: PinAction,
  observed: ObservedRollback,
  trigger: RollbackTrigger,
  plan: RollbackPlan,
): PinRecord {
  const reason = plan.reason;
  // A failed fix App Runner reverted to the pin: the pin is the one released, as it was.
  const released = plan.code === 'fix-failed' ? observed.pinRelease?.pin : undefined;
  if (released) {
    return {
      ...released,
      ...(pin.quarantine ? { failedDigest: pin.quarantine } : {}),
      time: trigger.time,
      reason,
      trigger: trigger.id,
    };
  }
  const replaced = parseImageIdentifier(pin.fromImage);
  return {
    serviceArn,
    replacedImage: pin.fromImage,
    repository: replaced.repository,
    ...(replaced.digest === undefined && replaced.tag !== undefined ? { tag: replaced.tag } : {}),
    autoDeploymentsEnabled: observed.service?.autoDeploymentsEnabled === true,
    ...(pin.quarantine ? { failedDigest: pin.quarantine } : {}),
    pinnedImage: pin.toImage,
    pinnedDigest: pin.toDigest,
    time: trigger.time,
    reason,
    trigger: trigger.id,
  };
}

/**
 * Records what the pin replaced. A service pinned again while pinned (its fix failed too, or a
 * manual rollback to another digest) keeps what the first pin replaced: that is where a release goes.
 */
async function rememberPin(
  serviceArn: string,
  pin: PinAction,
  observed: ObservedRollback,
  trigger: RollbackTrigger,
  plan: RollbackPlan,
  ledger: LedgerPort,
): Promise<PinRecord> {
  const existing = await ledger.getPin(serviceArn);
  if (existing && existing.trigger === trigger.id) return existing;
  const fresh = replacedBy(serviceArn, pin, observed, trigger, plan);
  const record: PinRecord =
    existing && isPinnedImage(pin.fromImage)
      ? {
          ...fresh,
          replacedImage: existing.replacedImage,
          repository: existing.repository,
          ...(existing.tag ? { tag: existing.tag } : {}),
          autoDeploymentsEnabled: existing.autoDeploymentsEnabled,
        }
      : fresh;
  await ledger.recordPin(record);
  return record;
}

/** What the alert must say about the pin: what it replaced and what it did to deployments. */
function pinDetails(pin: PinRecord): Record<string, unknown> {
  return {
    ...(pin.tag ? { pinnedFromTag: `${pin.repository}:${pin.tag}` } : {}),
    autoDeploymentsBefore: pin.autoDeploymentsEnabled,
    autoDeployments: 'off while pinned',
  };
}

/**
 * How long the rollback job waits before it looks at a busy service again (docs/architecture.md,
 * "Time"). App Runner's own rollback of a failed deployment takes 15–20 minutes, during which the
 * service is `OPERATION_IN_PROGRESS`; every 3 minutes the job re-observes it and pins once it has
 * settled. The event's maximum wait (the queue's, for rollback) bounds how long it keeps trying.
 */
export const ROLLBACK_RETRY_SECONDS = 180;

/**
 * The rollback job for one App Runner failure event. Publishes exactly one outcome event per
 * event it handles. A service still busy (an operation in progress) is a "retry after"
 * ({@link ROLLBACK_RETRY_SECONDS}), thrown without publishing: the event comes back and pins once
 * the service has settled. Past the job's maximum wait the delivery reports it once through
 * {@link createRollbackFailureReporter}.
 */
export async function handleFailureEvent(
  event: OperationStatusEvent,
  ports: RollbackPorts,
  settings: RollbackSettings,
): Promise<JobResult> {
  if (!(ROLLBACK_STATUSES as readonly string[]).includes(event.status)) {
    return { outcome: 'skipped', reason: `${event.status} is not a failure the rollback job handles.` };
  }
  const trigger: RollbackTrigger = {
    kind: 'event',
    id: event.eventId,
    time: event.time,
    status: event.status,
    ...(event.message ? { message: event.message } : {}),
  };
  const {
    plan: _plan,
    published: _published,
    ...result
  } = await rollbackService(event.service, trigger, ports, settings);
  return result;
}

/**
 * `reportFailure` for the rollback function: a terminal failure becomes `Rollback Failed` carrying
 * the App Runner failure (status and message) so on-call still learns what failed.
 */
export function createRollbackFailureReporter(publisher: GuardEventPublisher, dryRun: boolean) {
  return async (event: AppRunnerEvent, error: Error): Promise<void> => {
    const s = event.service;
    await publisher.publish([
      buildGuardEvent(GUARD_DETAIL_TYPES.rollbackFailed, {
        job: 'rollback',
        outcome: 'failed',
        action: 'none',
        reason:
          error instanceof RetryAfterError
            ? `The guard gave up waiting for the service to settle: ${describeError(error)}. The deployment failure still needs a look: run \`guard rollback ${s.name}\` once the service is RUNNING.`
            : `The guard could not finish the rollback: ${describeError(error)}. A human should look.`,
        service: s,
        trigger: event.eventId,
        dryRun,
        details: {
          code: 'error',
          error: errorNameOf(error),
          failureStatus: event.kind === 'operation' ? event.status : undefined,
          failureMessage: event.message,
        },
      }),
    ]);
  };
}
