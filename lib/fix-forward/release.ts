import { RetryAfterError } from '../core/errors.ts';
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
import { parseServiceArn, type ServiceRef } from '../events/app-runner.ts';
import type { IgnoredImageEvent, ImagePushEvent } from '../events/ecr.ts';
import type { Tags } from '../tags.ts';
import { type ObservedPin, planRelease, type ReleasePlan, type ReleaseTrigger } from './plan.ts';

/** Ports fix forward and `guard unpin` use. */
export interface FixForwardPorts {
  appRunner: AppRunnerPort;
  images: ImageDigestResolver;
  ledger: LedgerPort;
  publisher: GuardEventPublisher;
}

/** Fix-forward settings (from `config.fixForward`). */
export interface FixForwardSettings {
  dryRun: boolean;
}

/** One service's release: the plan, and the guard event published (if any). */
export interface PinReleaseResult extends JobResult {
  code: ReleasePlan['code'];
  dryRun: boolean;
  plan: ReleasePlan;
  observed: ObservedPin;
  published?: GuardEventEntry;
}

/** Seconds before a release deferred by an operation in progress is tried again. */
const IN_PROGRESS_RETRY_SECONDS = 120;

/**
 * Observes one pinned service, read live: the service, its tags, its quarantined digests and the
 * digest a release would deploy (the pushed one; by hand, what the tag resolves to now).
 */
export async function observePin(
  pin: PinRecord,
  trigger: ReleaseTrigger,
  ports: Pick<FixForwardPorts, 'appRunner' | 'images' | 'ledger'>,
): Promise<ObservedPin> {
  const service = await ports.appRunner.describeService(pin.serviceArn);
  if (!service || service.status === 'DELETED') {
    return { trigger, pin, service, tags: {}, quarantined: [] };
  }
  const [tags, quarantined] = await Promise.all([
    ports.appRunner.listTags(pin.serviceArn),
    ports.ledger.listQuarantined(pin.serviceArn),
  ]);
  const base = { trigger, pin, service, tags: tags as Tags, quarantined };
  if (trigger.kind === 'push') return { ...base, digest: trigger.digest };
  if (!pin.tag) return base;
  const r = await ports.images.resolve(pin.replacedImage, service.imageRepositoryType);
  return r.kind === 'resolved' ? { ...base, digest: r.digest } : { ...base, unresolvedReason: r.reason };
}

/**
 * Releases one pin: observe → {@link planRelease} → act → publish. Acting calls `UpdateService`
 * back to the tag with automatic deployments as they were (App Runner deploys the tag), then
 * removes the pin record. Publishes `Pin Released` when it acted (or would have, in dry-run) and
 * `Pin Kept` when it chose not to; a no-op publishes nothing. Dry-run changes nothing.
 *
 * @throws RetryAfterError when an operation is in progress on the service (a push comes back later).
 */
export async function releasePin(
  pin: PinRecord,
  trigger: ReleaseTrigger,
  ports: FixForwardPorts,
  settings: FixForwardSettings,
): Promise<PinReleaseResult> {
  const ref = parseServiceArn(pin.serviceArn);
  if (!ref) throw new Error(`pin record names no App Runner service: "${pin.serviceArn}"`);
  const observed = await observePin(pin, trigger, ports);
  const plan = planRelease(observed);
  if (plan.action === 'defer') throw new RetryAfterError(plan.reason, IN_PROGRESS_RETRY_SECONDS);

  const extra: Record<string, unknown> = {};
  if (!settings.dryRun) {
    if (plan.release) {
      const out = await ports.appRunner.updateImage(pin.serviceArn, plan.release.toImage, {
        autoDeploymentsEnabled: plan.release.autoDeploymentsEnabled,
      });
      if (out.operationId) extra.operationId = out.operationId;
      // Before the pin record goes: if the fix fails and App Runner reverts the configuration to
      // the pin, this is how the rollback knows which digest failed.
      await ports.ledger.recordPinRelease({
        serviceArn: pin.serviceArn,
        releasedTo: plan.release.toImage,
        digest: plan.release.digest,
        pin,
        time: trigger.time,
        trigger: trigger.id,
        ...(out.operationId ? { operationId: out.operationId } : {}),
      });
      await ports.ledger.removePin(pin.serviceArn);
    } else if (plan.dropRecord) {
      await ports.ledger.removePin(pin.serviceArn);
    }
  }

  const reason = settings.dryRun && plan.release ? `Dry run, nothing changed: ${plan.reason}` : plan.reason;
  if (plan.outcome === 'noop') {
    return { outcome: plan.outcome, reason, code: plan.code, dryRun: settings.dryRun, plan, observed };
  }
  const entry = buildGuardEvent(
    plan.outcome === 'acted' ? GUARD_DETAIL_TYPES.pinReleased : GUARD_DETAIL_TYPES.pinKept,
    {
      job: 'fix-forward',
      outcome: plan.outcome,
      action: plan.release ? 'release-pin' : 'none',
      reason,
      service: ref,
      trigger: trigger.id,
      dryRun: settings.dryRun,
      details: detailsOf(plan, observed, extra),
    },
  );
  await ports.publisher.publish([entry]);
  return {
    outcome: plan.outcome,
    reason: entry.detail.reason,
    code: plan.code,
    dryRun: settings.dryRun,
    plan,
    observed,
    published: entry,
  };
}

function detailsOf(plan: ReleasePlan, o: ObservedPin, extra: Record<string, unknown>) {
  const { pin } = o;
  return {
    code: plan.code,
    ...(plan.attention ? { attention: true } : {}),
    ...(o.trigger.kind === 'push' ? { pushedDigest: o.trigger.digest } : { manual: true }),
    ...(plan.release
      ? {
          releasedTo: plan.release.toImage,
          deployingDigest: plan.release.digest,
          autoDeployments: plan.release.autoDeploymentsEnabled
            ? 'on (as before the pin)'
            : 'off (as before the pin)',
        }
      : {}),
    pinnedImage: pin.pinnedImage,
    ...(pin.tag ? { pinnedFromTag: `${pin.repository}:${pin.tag}` } : {}),
    ...(pin.failedDigest ? { failedDigest: pin.failedDigest } : {}),
    pinnedAt: pin.time,
    ...(o.service?.status ? { serviceStatus: o.service.status } : {}),
    ...extra,
  };
}

const rank: Record<string, number> = { acted: 4, failed: 3, deferred: 2, skipped: 1, noop: 0 };

/**
 * Fix forward for one ECR push: every service the guard pinned away from that repository and tag
 * gets {@link releasePin}. A push nobody pinned follows is "nothing to do" and publishes nothing.
 * A service with an operation in progress is retried after the others are handled.
 */
export async function handleImagePush(
  event: ImagePushEvent | IgnoredImageEvent,
  ports: FixForwardPorts,
  settings: FixForwardSettings,
): Promise<JobResult> {
  if ('ignored' in event) return { outcome: 'noop', reason: `Nothing to do: ${event.ignored}.` };
  const followed = `${event.repository}:${event.tag}`;
  const pins = await ports.ledger.listPinsByRepository(event.repository);
  const following = pins.filter((p) => p.tag === event.tag);
  if (following.length === 0) {
    return {
      outcome: 'noop',
      reason: `No service pinned by the guard follows ${followed}${pins.length > 0 ? ` (${pins.length} pinned on other tags of the repository)` : ''}: nothing to do.`,
    };
  }
  const trigger: ReleaseTrigger = {
    kind: 'push',
    id: event.eventId,
    time: event.time,
    repository: event.repository,
    tag: event.tag,
    digest: event.digest,
  };
  const results: Array<{ service: ServiceRef | undefined; outcome: string; code: string; reason: string }> =
    [];
  let deferred: RetryAfterError | undefined;
  for (const pin of following) {
    try {
      const r = await releasePin(pin, trigger, ports, settings);
      results.push({
        service: parseServiceArn(pin.serviceArn),
        outcome: r.outcome,
        code: r.code,
        reason: r.reason,
      });
    } catch (error) {
      if (!(error instanceof RetryAfterError)) throw error;
      deferred = error;
    }
  }
  // The others are done (and idempotent on replay): come back for the one still busy.
  if (deferred) throw deferred;
  const outcome = results.reduce((best, r) => (rank[r.outcome]! > rank[best]! ? r.outcome : best), 'noop');
  return {
    outcome: outcome as JobResult['outcome'],
    reason:
      results.length === 1
        ? results[0]!.reason
        : `${followed} was pushed (${event.digest.slice(0, 19)}…): ${results.map((r) => `${r.service?.name ?? '?'} ${r.outcome} (${r.code})`).join('; ')}.`,
    services: results.map((r) => ({ name: r.service?.name, outcome: r.outcome, code: r.code })),
  };
}
