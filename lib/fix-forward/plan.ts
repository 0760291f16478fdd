import type { GuardEventOutcome as Outcome } from '../core/outcomes.ts';
import type { ServiceView } from '../core/ports/app-runner.ts';
import type { PinRecord, QuarantineRecord } from '../core/ports/release-ledger.ts';
import { isOptedOut, TAGS, type Tags } from '../tags.ts';

/** What asks to release a pin: a push of a new digest to the tag, or an engineer (`guard unpin`). */
export type ReleaseTrigger =
  | {
      kind: 'push';
      /** The ECR event id. */
      id: string;
      time: string;
      /** `<registry>/<name>`. */
      repository: string;
      tag: string;
      digest: string;
    }
  | {
      kind: 'manual';
      /** `manual:<who>@<time>`. */
      id: string;
      time: string;
    };

/** Everything the planner looks at, for one pinned service. */
export interface ObservedPin {
  trigger: ReleaseTrigger;
  pin: PinRecord;
  /** `undefined` when the service no longer exists. */
  service: ServiceView | undefined;
  tags: Tags;
  quarantined: QuarantineRecord[];
  /**
   * The digest a release would deploy: the pushed one, or (by hand) what the tag resolves to now.
   * Absent when the tag resolves to nothing (`unresolvedReason` says why).
   */
  digest?: string;
  unresolvedReason?: string;
}

export type ReleaseCode =
  | 'release'
  | 'other-tag'
  | 'deleted'
  | 'code-based'
  | 'no-tag'
  | 'already-released'
  | 'not-pinned'
  | 'opted-out'
  | 'unresolved'
  | 'failed-digest'
  | 'quarantined'
  | 'paused'
  | 'in-progress'
  | 'not-running';

/** The release to make: the image and setting the pin replaced. */
export interface ReleaseAction {
  toImage: string;
  autoDeploymentsEnabled: boolean;
  /** The digest App Runner will deploy from the tag. */
  digest: string;
}

/** The planner's decision. `defer` comes back later (an operation is in progress). */
export interface ReleasePlan {
  outcome: Outcome;
  action: 'release-pin' | 'none' | 'defer';
  code: ReleaseCode;
  /** One or two human sentences: why. */
  reason: string;
  release?: ReleaseAction;
  /** The pin record no longer describes the service: remove it. */
  dropRecord?: boolean;
  /** A push the team may think ships, and does not: say so louder. */
  attention?: boolean;
}

const short = (digest: string | undefined) => (digest ? `${digest.slice(0, 19)}…` : 'an unknown digest');

const none = (
  outcome: Outcome,
  code: ReleaseCode,
  reason: string,
  extra: Partial<ReleasePlan> = {},
): ReleasePlan => ({ outcome, action: 'none', code, reason, ...extra });

/**
 * Plans the release of one guard pin. Pure. Checks run in this order, the first that applies
 * decides: service gone · code-based · the pin replaced no tag · a push to another tag · already
 * released · no longer the guard's pin · opted out of fix forward (pushes only: a human's `unpin`
 * is not a push) · nothing to deploy · the failed digest · a quarantined digest · paused ·
 * operation in progress · not running · release (back to `<repo>:<tag>` with automatic
 * deployments as they were, which makes App Runner deploy the tag).
 */
export function planRelease(o: ObservedPin): ReleasePlan {
  const { trigger, pin, service } = o;
  const followed = pin.tag ? `${pin.repository}:${pin.tag}` : pin.replacedImage;
  const isPush = trigger.kind === 'push';

  if (!service || service.status === 'DELETED') {
    return none('skipped', 'deleted', 'The service no longer exists: its pin record is dropped.', {
      dropRecord: true,
    });
  }
  if (service.sourceType === 'code') {
    return none(
      'skipped',
      'code-based',
      'Code-based service: the guard never changes its source (App Runner deploys the newest commit of its branch).',
    );
  }
  if (!pin.tag) {
    return none(
      'skipped',
      'no-tag',
      `The pin replaced a digest (${pin.replacedImage}), not a tag: there is no tag to go back to. Pin another release with \`guard rollback ${service.name} --to <digest>\`.`,
    );
  }
  if (isPush && (trigger.tag !== pin.tag || trigger.repository !== pin.repository)) {
    return none(
      'noop',
      'other-tag',
      `The push was to ${trigger.repository}:${trigger.tag}; the service followed ${followed}: nothing to do.`,
    );
  }
  const configured = service.imageIdentifier;
  if (configured === pin.replacedImage) {
    return none(
      'noop',
      'already-released',
      `The service already runs from ${followed} again: the pin was released.`,
      { dropRecord: true },
    );
  }
  if (configured !== pin.pinnedImage) {
    return none(
      'skipped',
      'not-pinned',
      `The service's configuration names ${configured ?? 'no image'}, not the guard's pin ${pin.pinnedImage}: someone changed it since, so the guard leaves it alone and drops its pin record.`,
      { dropRecord: true },
    );
  }
  if (isPush && isOptedOut(o.tags, TAGS.fixForward)) {
    return none(
      'skipped',
      'opted-out',
      `The service opted out of fix forward (tag ${TAGS.fixForward}=off): it stays pinned to ${pin.pinnedImage} although ${short(o.digest)} was pushed to ${followed}. Release it with \`guard unpin ${service.name}\`.`,
    );
  }
  const digest = o.digest;
  if (!digest) {
    return none(
      'skipped',
      'unresolved',
      `${followed} resolves to no image${o.unresolvedReason ? ` (${o.unresolvedReason})` : ''}: releasing the pin would deploy nothing. The service stays pinned to ${pin.pinnedImage}.`,
    );
  }
  const pushed = isPush ? `The push of ${short(digest)} to ${followed}` : `${followed} (${short(digest)})`;
  if (pin.failedDigest && digest === pin.failedDigest) {
    return none(
      'skipped',
      'failed-digest',
      `${pushed} is the digest that failed and was rolled back: the pin to ${pin.pinnedImage} holds. Push a fixed image to ${followed} to ship it.`,
      { attention: true },
    );
  }
  const quarantine = o.quarantined.find((q) => q.digest === digest);
  if (quarantine) {
    return none(
      'skipped',
      'quarantined',
      `${pushed} is quarantined (it failed before: ${quarantine.reason}): the pin to ${pin.pinnedImage} holds. Push a fixed image to ${followed} to ship it.`,
      { attention: true },
    );
  }
  if (service.status === 'PAUSED') {
    return none(
      'skipped',
      'paused',
      `The service is paused and App Runner refuses UpdateService on paused services: it stays pinned to ${pin.pinnedImage}. Run \`guard unpin ${service.name}\` once it runs again.`,
      { attention: true },
    );
  }
  if (service.status === 'OPERATION_IN_PROGRESS') {
    if (isPush) {
      return {
        outcome: 'deferred',
        action: 'defer',
        code: 'in-progress',
        reason:
          'An operation is in progress on the service (App Runner refuses UpdateService until it ends): releasing the pin later.',
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
      `The service is ${service.status}: the guard leaves its pin alone.`,
    );
  }
  return {
    outcome: 'acted',
    action: 'release-pin',
    code: 'release',
    reason: `${isPush ? `${short(digest)} was pushed to ${followed}` : `Released by hand: ${followed} names ${short(digest)}`}, neither the digest that failed nor quarantined: released the pin to ${pin.pinnedImage}. The service follows ${followed} again with automatic deployments ${pin.autoDeploymentsEnabled ? 'on' : 'off'} as before, and App Runner deploys ${short(digest)}.`,
    release: { toImage: pin.replacedImage, autoDeploymentsEnabled: pin.autoDeploymentsEnabled, digest },
  };
}
