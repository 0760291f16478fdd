/**
 * The cleanup job's records: forensic snapshots of failed services, once-only claims (one
 * failure, one outcome event, whichever twin event or sweep gets there first) and deletion attempts.
 */

/** What a once-only claim is about: one service, or the fleet of one account and region. */
export type ClaimScope = { serviceArn: string } | { account: string; region: string };

/** What a snapshot records; free-form JSON, bounded by {@link boundSnapshot}. */
export type SnapshotBody = Record<string, unknown>;

/** A snapshot to store. */
export interface SnapshotInput {
  serviceArn: string;
  /** When it was taken, from the trigger (event time or scheduled time), not the wall clock. */
  at: Date;
  /** What triggered it: the event id or `<action>@<scheduled time>`. */
  trigger: string;
  body: SnapshotBody;
}

/** Port: the cleanup job's ledger records. */
export interface SnapshotStore {
  /**
   * Stores a snapshot at `snapshot#<iso time>` and returns that sort key. Idempotent: when a
   * snapshot of the service already exists at that time, it is kept and its key returned.
   */
  saveSnapshot(snapshot: SnapshotInput): Promise<{ key: string; truncated: boolean; bytes: number }>;
  /** Reads a stored snapshot back (its body parsed), `undefined` when absent. */
  getSnapshot(
    serviceArn: string,
    key: string,
  ): Promise<{ key: string; body: SnapshotBody; truncated: boolean; trigger: string } | undefined>;
  /** Owner of `claim` for a service or the fleet, `undefined` when nobody claimed it. */
  claimOwner(scope: ClaimScope, claim: string): Promise<string | undefined>;
  /**
   * Claims `claim` (e.g. `schedule#CREATE_FAILED#0`, `quota#<day>#<level>`) for a service or the
   * fleet, for `owner`: true when it is now ours (first claim, or ours already, so a retried
   * invocation can finish what it started); false when someone else holds it.
   */
  claim(scope: ClaimScope, claim: string, owner: string, at: Date): Promise<boolean>;
  /** Deletions the guard has started on this service (0 when none). */
  deletionAttempts(serviceArn: string): Promise<number>;
  /** Records that deletion number `attempt` (1-based) was started; never lowers the count. */
  recordDeletionAttempt(serviceArn: string, attempt: number, at: Date): Promise<void>;
}
