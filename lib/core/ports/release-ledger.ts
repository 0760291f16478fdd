/** A release: an image that deployed successfully, resolved to its digest (known-good, or a candidate baking). */
export interface ReleaseRecord {
  serviceArn: string;
  /** The image identifier the service was configured with (`repo:tag` or `repo@sha256:…`). */
  imageIdentifier: string;
  /** The identifier without tag or digest. */
  repository: string;
  digest: string;
  /** When the deployment succeeded (the event's time). */
  time: string;
  /** The App Runner event that reported the success. */
  eventId: string;
  /**
   * `candidate` while it bakes (the service opted in to a bake window): not yet a rollback target.
   * Absent means known-good (every release before bake windows, and every release of a service
   * without one).
   */
  state?: 'candidate' | 'known-good';
  /** When a candidate was promoted to known-good. */
  promotedAt?: string;
}

/** True for a release that is a rollback target: known-good, not a candidate still baking. */
export function isKnownGood(release: Pick<ReleaseRecord, 'state'>): boolean {
  return release.state !== 'candidate';
}

/** A digest that failed to deploy, or was rolled back from: never chosen as a rollback target. */
export interface QuarantineRecord {
  serviceArn: string;
  digest: string;
  time: string;
  reason: string;
  /** The event id (or `manual:…`) that quarantined it. */
  trigger: string;
}

/** A rollback the guard started, automatically or from the CLI. */
export interface RollbackRecord {
  serviceArn: string;
  time: string;
  /** The App Runner event id, or `manual:<who>@<time>` from the CLI. */
  trigger: string;
  kind: 'automatic' | 'manual';
  /** `pending` is written before `UpdateService`, `started` once App Runner accepted it. */
  status: 'pending' | 'started';
  fromImage: string;
  fromDigest?: string;
  toImage: string;
  toDigest: string;
  /** App Runner's operation id for the pin, to recognise its failure later. */
  operationId?: string;
}

/**
 * What a digest pin replaced, kept until the pin is released (docs/architecture.md, "Data"). A pin
 * stops App Runner's automatic deployments (they follow the configured tag); this record is what
 * lets a push of a fix to that tag, or `guard unpin`, put the tag and the setting back.
 */
export interface PinRecord {
  serviceArn: string;
  /** The image identifier the pin replaced, exactly as configured (`repo:tag`, or a digest). */
  replacedImage: string;
  /** `replacedImage` without tag or digest. */
  repository: string;
  /** The tag the service followed; absent when the pin replaced a digest (nothing to go back to). */
  tag?: string;
  /** `AutoDeploymentsEnabled` before the pin (the pin sets it to false). */
  autoDeploymentsEnabled: boolean;
  /** The digest that failed (quarantined), if known. */
  failedDigest?: string;
  /** The digest identifier the service is pinned to (`repo@sha256:…`). */
  pinnedImage: string;
  pinnedDigest: string;
  /** When the pin was made. */
  time: string;
  /** Why: the rollback's reason. */
  reason: string;
  /** The event id or `manual:…` that pinned it. */
  trigger: string;
}

/**
 * The last pin the guard released (fix forward or `guard unpin`): which digest it released to. Kept
 * until the service is pinned again, so that a release whose deployment fails is recognised even
 * when App Runner reverts the failed update's configuration back to the pin (docs/architecture.md,
 * "Jobs": rollback).
 */
export interface PinReleaseRecord {
  serviceArn: string;
  /** The image the service was released to (`repo:tag`). */
  releasedTo: string;
  /** The digest the tag named when released: what App Runner deploys. */
  digest: string;
  /** The pin that was released, as it was recorded. */
  pin: PinRecord;
  /** When it was released. */
  time: string;
  /** The push event id or `manual:…` that released it. */
  trigger: string;
  /** App Runner's operation id of the release's `UpdateService`, to recognise its failure. */
  operationId?: string;
}

/** Port: the release ledger. */
export interface LedgerPort {
  /** Releases (known-good and candidates: see {@link isKnownGood}), newest first. */
  listReleases(serviceArn: string): Promise<ReleaseRecord[]>;
  /** Promotes a candidate to known-good; `false` when the ledger has no candidate of that digest. */
  promoteRelease(serviceArn: string, digest: string, at: string): Promise<boolean>;
  /**
   * Records a known-good release. One entry per digest: recording a digest again moves it to the
   * newer time (an older time is ignored); the history is pruned to `historyLimit` entries.
   */
  recordRelease(
    release: ReleaseRecord,
    options: { historyLimit: number },
  ): Promise<{ status: 'created' | 'refreshed' | 'unchanged'; pruned: number }>;
  listQuarantined(serviceArn: string): Promise<QuarantineRecord[]>;
  quarantine(record: QuarantineRecord): Promise<void>;
  /** Removes a quarantine; `true` when there was one. */
  liftQuarantine(serviceArn: string, digest: string): Promise<boolean>;
  /** The guard's rollbacks, newest first. */
  listRollbacks(serviceArn: string): Promise<RollbackRecord[]>;
  /** Writes (or overwrites: same time and trigger) a rollback record. */
  recordRollback(record: RollbackRecord): Promise<void>;
  /** The service's pin record; `undefined` when it is not pinned by the guard. */
  getPin(serviceArn: string): Promise<PinRecord | undefined>;
  /** Writes (or replaces) the service's pin record, findable by its repository. */
  recordPin(pin: PinRecord): Promise<void>;
  /** Removes the pin record; `true` when there was one. */
  removePin(serviceArn: string): Promise<boolean>;
  /** Pin records of every service pinned away from an image of `repository` (`<registry>/<name>`). */
  listPinsByRepository(repository: string): Promise<PinRecord[]>;
  /** Writes (or replaces) the service's last pin release. */
  recordPinRelease(record: PinReleaseRecord): Promise<void>;
  /** The service's last pin release; `undefined` when none is kept. */
  getPinRelease(serviceArn: string): Promise<PinReleaseRecord | undefined>;
  /** Forgets the last pin release (the service was pinned again); `true` when there was one. */
  removePinRelease(serviceArn: string): Promise<boolean>;
}
