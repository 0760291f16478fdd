import { FAILED_OPERATION_STATUSES, RUNNING_OPERATION_STATUSES } from '../core/app-runner-facts.ts';
import type { GuardEventOutcome as Outcome } from '../core/outcomes.ts';
import type { OperationView, ServiceView } from '../core/ports/app-runner.ts';
import type {
  PinReleaseRecord,
  QuarantineRecord,
  ReleaseRecord,
  RollbackRecord,
} from '../core/ports/release-ledger.ts';
import { isKnownGood } from '../core/ports/release-ledger.ts';
import { MINUTE_MS } from '../core/time.ts';
import type { OperationStatus } from '../events/app-runner.ts';
import { isPinnedImage, pinnedImage } from '../release/image.ts';
import { DEPLOYING_OPERATION_TYPES } from '../release/record-release.ts';
import { isOptedOut, TAGS, type Tags } from '../tags.ts';

/** What asked for a rollback: an App Runner failure event, or an engineer at the CLI. */
export type RollbackTrigger =
  | {
      kind: 'event';
      /** The EventBridge event id. */
      id: string;
      /** The event's time: "now" for the planner. */
      time: string;
      status: OperationStatus;
      /** App Runner's failure message, passed on to on-call. */
      message?: string;
    }
  | {
      /** A CloudWatch alarm went to ALARM during a candidate's bake (docs/architecture.md, "Bake window"). */
      kind: 'alarm';
      /** The alarm event's id. */
      id: string;
      /** When the alarm went to ALARM: "now" for the planner. */
      time: string;
      alarmName: string;
      /** CloudWatch's reason, passed on to on-call. */
      alarmReason: string;
      /** The release baking: the only digest an alarm may roll back from. */
      candidateDigest: string;
      /** The bake window (the deployment's start to the promotion time) and its length. */
      bakeStartedAt: string;
      bakeUntil: string;
      bakeMinutes: number;
    }
  | {
      kind: 'manual';
      /** `manual:<who>@<time>`. */
      id: string;
      time: string;
      /** `--to <digest>`: a specific release instead of the newest known-good before the current one. */
      toDigest?: string;
      /** `--force`: allow a `--to` digest that is quarantined or not in the ledger. */
      force: boolean;
    };

/** The configured image, and the digest it resolves to right now. */
export interface ConfiguredImage {
  identifier: string;
  repository?: string;
  digest?: string;
  /** Why `digest` is missing (tag deleted, ECR Public, …). */
  unresolvedReason?: string;
}

/** Everything the planner looks at. All lists newest first. */
export interface ObservedRollback {
  trigger: RollbackTrigger;
  /** `undefined` when the service no longer exists. */
  service: ServiceView | undefined;
  tags: Tags;
  operations: OperationView[];
  releases: ReleaseRecord[];
  quarantined: QuarantineRecord[];
  rollbacks: RollbackRecord[];
  configured?: ConfiguredImage;
  /** The last pin the guard released (fix forward, `guard unpin`), until the service is pinned again. */
  pinRelease?: PinReleaseRecord;
  settings: { loopLimit: number; loopWindowMinutes: number };
}

/** The pin to make: always a digest reference. */
export interface PinAction {
  fromImage: string;
  fromDigest?: string;
  toImage: string;
  toDigest: string;
  /** The digest to quarantine, if any. */
  quarantine?: string;
  /**
   * The configuration already names `toImage` with automatic deployments off (App Runner reverted a
   * failed release of the pin to it): nothing to deploy, only the ledger to put right.
   */
  alreadyConfigured?: boolean;
}

export type RollbackCode =
  | 'pin'
  | 'replay'
  | 'deleted'
  | 'opted-out'
  | 'code-based'
  | 'stale'
  | 'own-rollback-failed'
  | 'paused'
  | 'superseded'
  | 'in-progress'
  | 'not-running'
  | 'no-image'
  | 'already-pinned'
  | 'not-candidate'
  | 'fix-failed'
  | 'known-good'
  | 'no-known-good'
  | 'loop-guard'
  | 'unknown-target'
  | 'quarantined-target';

/** The planner's decision. `defer` is retryable: the use case throws so Lambda retries. */
export interface RollbackPlan {
  outcome: Outcome;
  action: 'pin-image' | 'none' | 'defer';
  code: RollbackCode;
  /** One human sentence (or two): why. */
  reason: string;
  pin?: PinAction;
  /** The pin was already made for this trigger (a retry): report it again, do not act. */
  replay?: boolean;
}

const ms = (t: string | undefined) => (t === undefined ? Number.NaN : Date.parse(t));
const short = (digest: string | undefined) => (digest ? `${digest.slice(0, 19)}…` : 'an unknown digest');

const none = (outcome: Outcome, code: RollbackCode, reason: string): RollbackPlan => ({
  outcome,
  action: 'none',
  code,
  reason,
});

/**
 * Plans a rollback. Pure: same observation, same plan. Checks run in this order, the first that
 * applies decides: already done for this trigger (retry) · service gone · opted out · code-based ·
 * stale event · the guard's own pin failed · service not RUNNING · a released pin's fix failed and
 * App Runner reverted to the pin (quarantine the fix, record the pin again) · image already
 * known-good · an alarm's candidate no longer running · no target · loop guard (automatic
 * triggers) · pin. The target is always a digest (`repo@sha256:…`): the newest known-good
 * (promoted) release that is neither the failed digest nor quarantined; a candidate still baking
 * is never a target.
 */
export function planRollback(o: ObservedRollback): RollbackPlan {
  const { trigger, service, configured } = o;
  const isEvent = trigger.kind === 'event';
  // The guard's own triggers (a failure event, an alarm during a bake), as opposed to a human's.
  const automatic = trigger.kind !== 'manual';
  const quarantined = new Set(o.quarantined.map((q) => q.digest));
  // Only promoted releases are rollback targets: a candidate still baking is not proven good.
  const promoted = o.releases.filter(isKnownGood);
  const knownGood = (digest: string | undefined) =>
    digest !== undefined && !quarantined.has(digest) && promoted.some((r) => r.digest === digest);

  const previous = o.rollbacks.find((r) => r.trigger === trigger.id);
  if (previous && (previous.status === 'started' || configured?.identifier === previous.toImage)) {
    return {
      outcome: 'acted',
      action: 'pin-image',
      code: 'replay',
      replay: true,
      reason: `Already pinned the service to ${previous.toImage} for this ${isEvent ? 'event' : 'request'} (a retry): not acting again.`,
      pin: {
        fromImage: previous.fromImage,
        ...(previous.fromDigest ? { fromDigest: previous.fromDigest } : {}),
        toImage: previous.toImage,
        toDigest: previous.toDigest,
        ...(previous.fromDigest && previous.fromDigest !== previous.toDigest
          ? { quarantine: previous.fromDigest }
          : {}),
      },
    };
  }

  if (!service || service.status === 'DELETED') {
    return none('skipped', 'deleted', 'The service no longer exists: there is nothing to roll back.');
  }
  if (isOptedOut(o.tags, TAGS.rollback)) {
    return none(
      'skipped',
      'opted-out',
      `The service opted out of rollback (tag ${TAGS.rollback}=off): the guard leaves it alone. Its configuration still names ${configured?.identifier ?? service.imageIdentifier ?? 'its image'}.`,
    );
  }
  if (service.sourceType === 'code') {
    return none(
      'skipped',
      'code-based',
      'Code-based service: App Runner deploys the newest commit of the branch and the API cannot pin a commit. Revert the bad commit on the deployed branch; App Runner keeps the previous version serving meanwhile.',
    );
  }

  if (trigger.kind === 'event') {
    const eventTime = ms(trigger.time);
    const newerRelease = o.releases.find((r) => ms(r.time) > eventTime);
    if (newerRelease) {
      return none(
        'noop',
        'stale',
        `Stale event: a newer deployment succeeded at ${newerRelease.time} (${newerRelease.imageIdentifier}, ${short(newerRelease.digest)}) after this failure at ${trigger.time}. Nothing to roll back.`,
      );
    }
    const newerSuccess = o.operations.find(
      (op) =>
        DEPLOYING_OPERATION_TYPES.has(op.type) && op.status === 'SUCCEEDED' && ms(op.startedAt) > eventTime,
    );
    if (newerSuccess) {
      return none(
        'noop',
        'stale',
        `Stale event: a newer ${newerSuccess.type} started at ${newerSuccess.startedAt} succeeded after this failure at ${trigger.time}. Nothing to roll back.`,
      );
    }

    const lastOwn = o.rollbacks.find((r) => r.status === 'started' && ms(r.time) <= eventTime);
    if (lastOwn) {
      const failedOp = o.operations.find(
        (op) =>
          DEPLOYING_OPERATION_TYPES.has(op.type) &&
          FAILED_OPERATION_STATUSES.has(op.status) &&
          !(ms(op.startedAt) > eventTime),
      );
      // A pin released since (fix forward) is a newer operation than the guard's own rollback.
      const releasedSince = o.pinRelease !== undefined && ms(o.pinRelease.time) > ms(lastOwn.time);
      const ownFailed =
        lastOwn.operationId && failedOp
          ? failedOp.id === lastOwn.operationId
          : configured?.identifier === lastOwn.toImage &&
            !releasedSince &&
            !o.releases.some((r) => ms(r.time) > ms(lastOwn.time));
      if (ownFailed) {
        return none(
          'failed',
          'own-rollback-failed',
          `The guard's own rollback to ${lastOwn.toImage} (started ${lastOwn.time}) failed: not rolling back again. A human should look; App Runner keeps the previous version serving.`,
        );
      }
    }
  }

  if (service.status === 'PAUSED') {
    return none(
      'skipped',
      'paused',
      `The service is paused and App Runner refuses UpdateService on paused services. Its configuration still names ${configured?.identifier ?? service.imageIdentifier ?? 'its image'}${configured?.digest ? ` (${short(configured.digest)})` : ''}: run \`guard rollback ${service.name}\` once it runs again, before anything redeploys it.`,
    );
  }
  if (service.status === 'OPERATION_IN_PROGRESS') {
    const newer = o.operations.find(
      (op) => RUNNING_OPERATION_STATUSES.has(op.status) && ms(op.startedAt) > ms(trigger.time),
    );
    if (isEvent && newer) {
      return none(
        'noop',
        'superseded',
        `A newer ${newer.type} started at ${newer.startedAt} is in progress: its own outcome event will be handled.`,
      );
    }
    if (automatic) {
      return {
        outcome: 'deferred',
        action: 'defer',
        code: 'in-progress',
        reason:
          'An operation is in progress on the service (App Runner refuses UpdateService until it ends): trying again later.',
      };
    }
    return none(
      'skipped',
      'in-progress',
      'An operation is in progress on the service: try again when it is RUNNING.',
    );
  }
  if (service.status !== 'RUNNING') {
    return none(
      'skipped',
      'not-running',
      `The service is ${service.status}: there is no deployment to roll back.`,
    );
  }
  if (!configured) return none('skipped', 'no-image', 'The service has no configured image.');

  const fromDigest = configured.digest;
  const from = {
    fromImage: configured.identifier,
    ...(fromDigest ? { fromDigest } : {}),
  };

  if (trigger.kind === 'alarm' && fromDigest !== trigger.candidateDigest) {
    return none(
      'noop',
      'not-candidate',
      `Alarm ${trigger.alarmName} went to ALARM, but the service no longer runs the candidate ${short(trigger.candidateDigest)} it was baking (it runs ${configured.identifier}${fromDigest ? `, ${short(fromDigest)}` : ''}): nothing to roll back.`,
    );
  }

  if (trigger.kind === 'manual' && trigger.toDigest) {
    const toDigest = trigger.toDigest;
    if (isPinnedImage(configured.identifier) && fromDigest === toDigest) {
      return none('noop', 'already-pinned', `Already pinned to ${configured.identifier}.`);
    }
    const release = o.releases.find((r) => r.digest === toDigest);
    if ((!release || !isKnownGood(release)) && !trigger.force) {
      return none(
        'skipped',
        'unknown-target',
        release
          ? `${toDigest} is a candidate still baking, not yet a known-good release. Pass --force to pin it anyway.`
          : `${toDigest} is not a known-good release of this service (the ledger knows ${promoted.length}: ${promoted.map((r) => short(r.digest)).join(', ') || 'none'}). Pass --force to pin it anyway.`,
      );
    }
    if (quarantined.has(toDigest) && !trigger.force) {
      return none(
        'skipped',
        'quarantined-target',
        `${toDigest} is quarantined (it failed, or was rolled back from). Pass --force to pin it anyway.`,
      );
    }
    const repository = release?.repository ?? configured.repository;
    if (!repository)
      return none('skipped', 'no-image', `Cannot tell which repository ${toDigest} belongs to.`);
    return pin(from, repository, toDigest, `Pinned to ${short(toDigest)} as requested.`);
  }

  if (trigger.kind === 'event') {
    const failedRelease = releaseRevertedToPin(o, trigger.time);
    if (failedRelease) {
      const loop = loopGuard(o, trigger.time);
      if (loop) return loop;
      const { pin: released, digest } = failedRelease;
      return {
        outcome: 'acted',
        action: 'pin-image',
        code: 'fix-failed',
        reason: `The release of the pin to ${failedRelease.releasedTo} (${short(digest)}) failed and App Runner put the configuration back on the pin ${released.pinnedImage}: quarantined ${short(digest)} and recorded the pin again, so the failed fix does not deploy again. Pushes to ${failedRelease.releasedTo} do not deploy while pinned; push another fix to release it.`,
        pin: {
          fromImage: failedRelease.releasedTo,
          fromDigest: digest,
          toImage: released.pinnedImage,
          toDigest: released.pinnedDigest,
          ...(digest !== released.pinnedDigest ? { quarantine: digest } : {}),
          // A digest cannot follow pushes: if the revert left automatic deployments on, pin again.
          alreadyConfigured: service.autoDeploymentsEnabled !== true,
        },
      };
    }
  }

  if (isEvent && knownGood(fromDigest)) {
    if (isPinnedImage(configured.identifier)) {
      return none(
        'noop',
        'already-pinned',
        `Already pinned to known-good ${configured.identifier}: the failure was not caused by a new image, and App Runner kept the previous version serving.`,
      );
    }
    return none(
      'noop',
      'known-good',
      `${configured.identifier} resolves to known-good ${short(fromDigest)}: the failed ${trigger.status === 'UpdateServiceFailed' ? 'update did not change the image to an unproven one' : 'deployment was not caused by a new image'}, and App Runner kept the previous version serving.`,
    );
  }

  const target = promoted.find((r) => r.digest !== fromDigest && !quarantined.has(r.digest));
  if (!target) {
    const candidates = o.releases.length - promoted.length;
    return none(
      'skipped',
      'no-known-good',
      `No known-good release to roll back to (the ledger has ${promoted.length}${candidates > 0 ? ` and ${candidates} candidate${candidates === 1 ? '' : 's'} still baking, never a target` : ''}, none that is neither ${fromDigest ? short(fromDigest) : 'the current image'} nor quarantined). The configuration still names ${configured.identifier}${fromDigest ? ` (${short(fromDigest)})` : configured.unresolvedReason ? ` (${configured.unresolvedReason})` : ''}: fix the image and redeploy, or pin a good digest by hand.`,
    );
  }

  if (automatic) {
    const loop = loopGuard(o, trigger.time);
    if (loop) return loop;
  }

  const why =
    trigger.kind === 'event'
      ? `${trigger.status === 'UpdateServiceFailed' ? 'The update' : 'The deployment'} of ${configured.identifier}${fromDigest ? ` (${short(fromDigest)})` : ''} failed; pinned the service to the newest known-good release ${short(target.digest)} (recorded ${target.time}) so nothing can deploy the bad image again.`
      : trigger.kind === 'alarm'
        ? `Alarm ${trigger.alarmName} went to ALARM at ${trigger.time}, ${Math.max(0, Math.round((ms(trigger.time) - ms(trigger.bakeStartedAt)) / MINUTE_MS))} minutes into the bake of ${configured.identifier} (${short(fromDigest)}; ${trigger.bakeMinutes}-minute window ${trigger.bakeStartedAt} – ${trigger.bakeUntil}): pinned the service to the previous known-good release ${short(target.digest)} (recorded ${target.time}), which App Runner now deploys, and quarantined the candidate.`
        : `Rolled back from ${configured.identifier}${fromDigest ? ` (${short(fromDigest)})` : ''} to the previous known-good release ${short(target.digest)} (recorded ${target.time}).`;
  return pin(from, target.repository, target.digest, why);
}

/** The loop guard's verdict at `time`: a plan when the service was rolled back too often. */
function loopGuard(o: ObservedRollback, time: string): RollbackPlan | undefined {
  const windowStart = ms(time) - o.settings.loopWindowMinutes * MINUTE_MS;
  const recent = o.rollbacks.filter(
    (r) =>
      r.kind === 'automatic' && r.status === 'started' && ms(r.time) > windowStart && ms(r.time) <= ms(time),
  );
  if (recent.length < o.settings.loopLimit) return undefined;
  return none(
    'failed',
    'loop-guard',
    `Loop guard: the guard already rolled this service back ${recent.length} times in the last ${o.settings.loopWindowMinutes} minutes (limit ${o.settings.loopLimit}): not rolling back again. A human should look.`,
  );
}

/**
 * The pin release whose deployment this failure is, when App Runner reverted the failed update's
 * configuration back to the pin (docs/architecture.md, "Jobs"): the release came before the failure,
 * the configuration names the released pin again, and the failed operation is the release's (when
 * App Runner gave its id) or no deployment succeeded since the release.
 */
function releaseRevertedToPin(o: ObservedRollback, time: string): PinReleaseRecord | undefined {
  const r = o.pinRelease;
  if (!r || ms(r.time) > ms(time) || o.configured?.identifier !== r.pin.pinnedImage) return undefined;
  const failedOp = o.operations.find(
    (op) =>
      DEPLOYING_OPERATION_TYPES.has(op.type) &&
      FAILED_OPERATION_STATUSES.has(op.status) &&
      !(ms(op.startedAt) > ms(time)),
  );
  if (r.operationId && failedOp) return failedOp.id === r.operationId ? r : undefined;
  const succeededSince = o.operations.some(
    (op) =>
      DEPLOYING_OPERATION_TYPES.has(op.type) && op.status === 'SUCCEEDED' && ms(op.startedAt) >= ms(r.time),
  );
  return succeededSince ? undefined : r;
}

function pin(
  from: { fromImage: string; fromDigest?: string },
  repository: string,
  toDigest: string,
  reason: string,
): RollbackPlan {
  return {
    outcome: 'acted',
    action: 'pin-image',
    code: 'pin',
    reason,
    pin: {
      ...from,
      toImage: pinnedImage(repository, toDigest),
      toDigest,
      ...(from.fromDigest && from.fromDigest !== toDigest ? { quarantine: from.fromDigest } : {}),
    },
  };
}
