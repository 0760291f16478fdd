/** A known-good release: an image that deployed successfully, resolved to its digest. */
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

/** Port: the release ledger. */
export interface LedgerPort {
  /** Known-good releases, newest first. */
  listReleases(serviceArn: string): Promise<ReleaseRecord[]>;
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
}
