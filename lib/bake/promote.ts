import { buildGuardEvent, GUARD_DETAIL_TYPES, type GuardEventPublisher } from '../core/guard-event.ts';
import type { JobResult } from '../core/handler-stack.ts';
import type { GuardEventOutcome } from '../core/outcomes.ts';
import type { AlarmsFor, AlarmView } from '../core/ports/alarms.ts';
import type { AppRunnerPort, ServiceView } from '../core/ports/app-runner.ts';
import type { BakeLedger, BakeRecord } from '../core/ports/bake-ledger.ts';
import type { ImageDigestResolver } from '../core/ports/image-registry.ts';
import type { LedgerPort, ReleaseRecord } from '../core/ports/release-ledger.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import type { PromotePayload } from '../events/scheduler.ts';

/** Ports the promotion uses. */
export interface PromotePorts {
  appRunner: AppRunnerPort;
  images: ImageDigestResolver;
  ledger: LedgerPort;
  bakes: BakeLedger;
  alarmsFor: AlarmsFor;
  publisher: GuardEventPublisher;
}

/** What the promotion planner looks at. */
export interface ObservedPromotion {
  payload: PromotePayload;
  bake: BakeRecord | undefined;
  service: ServiceView | undefined;
  /** The digest the configured image resolves to now. */
  configuredDigest?: string;
  candidate: ReleaseRecord | undefined;
  alarms: AlarmView[];
}

export type PromoteCode =
  | 'promote'
  | 'superseded'
  | 'already-promoted'
  | 'rolled-back'
  | 'deleted'
  | 'not-running'
  | 'not-in-ledger'
  | 'alarm-firing';

/** The promotion's decision. */
export interface PromotePlan {
  outcome: GuardEventOutcome;
  code: PromoteCode;
  reason: string;
  /** Published (and alerted) only for these: a no-op is silent. */
  publish?: 'promoted' | 'not-promoted';
  firing?: AlarmView[];
}

const short = (digest: string) => `${digest.slice(0, 19)}…`;

/**
 * Plans the promotion of a candidate at its bake's end. Pure. Checks in this order: the bake is no
 * longer this one (a newer deployment started its own) · already promoted · rolled back · the
 * service is gone · it no longer runs the candidate · the ledger lost the candidate · an alarm is
 * in ALARM (it stays a candidate) · promote to known-good.
 */
export function planPromotion(o: ObservedPromotion): PromotePlan {
  const { payload, bake } = o;
  const digest = short(payload.digest);
  if (!bake || bake.trigger !== payload.bake || bake.digest !== payload.digest) {
    return {
      outcome: 'noop',
      code: 'superseded',
      reason: `The bake of ${digest} was superseded by a newer deployment's own bake: nothing to promote.`,
    };
  }
  if (bake.status === 'promoted') {
    return { outcome: 'noop', code: 'already-promoted', reason: `${digest} is already promoted.` };
  }
  if (bake.status === 'rolled-back') {
    return {
      outcome: 'noop',
      code: 'rolled-back',
      reason: `${digest} was rolled back during its bake (${bake.endedBy ?? 'an alarm'}): it is never promoted.`,
    };
  }
  if (!o.service || o.service.status === 'DELETED') {
    return { outcome: 'noop', code: 'deleted', reason: 'The service no longer exists: nothing to promote.' };
  }
  if (o.configuredDigest !== payload.digest) {
    return {
      outcome: 'noop',
      code: 'not-running',
      reason: `The service no longer runs the candidate ${digest} (its configuration names ${o.service.imageIdentifier ?? 'no image'}): it stays a candidate, never a rollback target.`,
    };
  }
  if (!o.candidate) {
    return {
      outcome: 'noop',
      code: 'not-in-ledger',
      reason: `The ledger no longer holds the candidate ${digest} (pruned from its history): nothing to promote.`,
    };
  }
  const firing = o.alarms.filter((a) => a.state === 'ALARM');
  if (firing.length > 0) {
    const before = new Set(bake.firingAtStart);
    return {
      outcome: 'skipped',
      code: 'alarm-firing',
      publish: 'not-promoted',
      firing,
      reason: `The ${bake.bakeMinutes}-minute bake of ${bake.imageIdentifier} (${digest}) ended with ${firing
        .map((a) => `${a.name} in ALARM${before.has(a.name) ? ' (since before the deployment)' : ''}`)
        .join(
          ', ',
        )}: not promoted. It stays a candidate, never a rollback target; the previous known-good release stays the target. A human should look at the alarm; \`guard rollback ${o.service.name}\` rolls back to the previous known-good release.`,
    };
  }
  return {
    outcome: 'acted',
    code: 'promote',
    publish: 'promoted',
    reason: `${bake.imageIdentifier} (${digest}) baked ${bake.bakeMinutes} minutes (${bake.deployedAt} – ${bake.bakeUntil}) with no alarm in ALARM (${bake.alarms.join(', ')}): promoted to known-good. It is now the release a rollback returns to.`,
  };
}

/**
 * The promotion wake-up at a bake's end: observe → {@link planPromotion} → promote the candidate
 * in the ledger and mark the bake promoted → publish `Release Promoted` (info) or `Release Not
 * Promoted` (an alarm in ALARM). A no-op (superseded, rolled back, gone) publishes nothing.
 */
export async function promoteRelease(payload: PromotePayload, ports: PromotePorts): Promise<JobResult> {
  const ref = parseServiceArn(payload.serviceArn);
  if (!ref) throw new Error(`promotion names no App Runner service: "${payload.serviceArn}"`);
  const [bake, service] = await Promise.all([
    ports.bakes.getBake(payload.serviceArn),
    ports.appRunner.describeService(payload.serviceArn),
  ]);
  const live = bake?.status === 'baking' && service && service.status !== 'DELETED';
  const [releases, alarms, resolved] = live
    ? await Promise.all([
        ports.ledger.listReleases(payload.serviceArn),
        ports.alarmsFor(payload.serviceArn).describeAlarms(bake.alarms),
        service.imageIdentifier
          ? ports.images.resolve(service.imageIdentifier, service.imageRepositoryType)
          : Promise.resolve(undefined),
      ])
    : [[], [], undefined];
  const plan = planPromotion({
    payload,
    bake,
    service,
    ...(resolved?.kind === 'resolved' ? { configuredDigest: resolved.digest } : {}),
    candidate: releases.find((r) => r.digest === payload.digest && r.state === 'candidate'),
    alarms,
  });
  if (!plan.publish) return { outcome: plan.outcome, reason: plan.reason, code: plan.code };

  const at = payload.scheduledTime;
  if (plan.publish === 'promoted') {
    await ports.ledger.promoteRelease(payload.serviceArn, payload.digest, at);
    await ports.bakes.recordBake({ ...bake!, status: 'promoted', endedAt: at, endedBy: 'promoted' });
  }
  const details = {
    ...(plan.publish === 'not-promoted' ? { attention: true } : {}),
    code: plan.code,
    image: bake!.imageIdentifier,
    digest: payload.digest,
    state: plan.publish === 'promoted' ? 'known-good' : 'candidate',
    bakeWindow: `${bake!.deployedAt} – ${bake!.bakeUntil} (${bake!.bakeMinutes} minutes)`,
    alarms: bake!.alarms,
    ...(plan.firing
      ? {
          alarmsFiring: plan.firing.map((a) => a.name),
          ...(plan.firing[0]?.stateReason ? { alarmReason: plan.firing[0].stateReason } : {}),
        }
      : {}),
  };
  const entry = buildGuardEvent(
    plan.publish === 'promoted' ? GUARD_DETAIL_TYPES.releasePromoted : GUARD_DETAIL_TYPES.releaseNotPromoted,
    {
      job: 'record-release',
      outcome: plan.outcome,
      action: plan.publish === 'promoted' ? 'promote-release' : 'none',
      reason: plan.reason,
      service: ref,
      trigger: `promote@${payload.scheduledTime}`,
      dryRun: false,
      details,
    },
  );
  await ports.publisher.publish([entry]);
  return { outcome: plan.outcome, reason: entry.detail.reason, ...details };
}
