import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { translatePortErrors } from './errors.ts';

/**
 * The cleanup job's records in the ledger table, all under the service's partition
 * (`pk = service#<serviceArn>`):
 * - `snapshot#<iso time>`: forensic snapshot of a failed service (description, operations, tags,
 *   the triggering event), taken before anything is deleted;
 * - `cleanup#claim#<key>`: a once-only marker so one failure yields one outcome event, whichever
 *   of its twin events (or the sweep) gets there first;
 * - `cleanup#attempts`: how many deletions the guard has started, to bound retries.
 */

/** DynamoDB items are limited to 400 KB; the snapshot body is kept well below that. */
export const MAX_SNAPSHOT_BYTES = 350_000;
/** Longest string kept in a snapshot once it has to be shrunk. */
const TRUNCATED_STRING = 1_024;
/** Forensic snapshots are kept for 180 days (ledger TTL attribute `expiresAt`). */
export const SNAPSHOT_RETENTION_DAYS = 180;
/** Claims only need to outlive the failure they deduplicate. */
const CLAIM_RETENTION_DAYS = 30;

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
  /** Owner of a claim in partition `pk`, `undefined` when nobody claimed it. */
  claimOwner(pk: string, claim: string): Promise<string | undefined>;
  /**
   * Claims `claim` in partition `pk` (a service's, or the fleet's) for `owner`: true when it is
   * now ours (first claim, or ours already, so a retried invocation can finish what it started);
   * false when someone else holds it.
   */
  claim(pk: string, claim: string, owner: string, at: Date): Promise<boolean>;
  /** Deletions the guard has started on this service (0 when none). */
  deletionAttempts(serviceArn: string): Promise<number>;
  /** Records that deletion number `attempt` (1-based) was started; never lowers the count. */
  recordDeletionAttempt(serviceArn: string, attempt: number, at: Date): Promise<void>;
}

/** Partition key of a service's ledger records. */
export const servicePartitionKey = (serviceArn: string) => `service#${serviceArn}`;

/** Partition key of fleet-wide cleanup records (quota warnings) of one account and region. */
export const fleetPartitionKey = (account: string, region: string) => `fleet#${account}#${region}`;

/** Sort key of a snapshot taken at `at`. */
export const snapshotSortKey = (at: Date) => `snapshot#${at.toISOString()}`;

const epochSeconds = (at: Date, plusDays: number) => Math.floor(at.getTime() / 1000) + plusDays * 86_400;

function truncateStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}…[truncated]` : value;
  if (Array.isArray(value)) return value.map((v) => truncateStrings(v, max));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncateStrings(v, max)]));
  }
  return value;
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Serializes a snapshot body to at most `maxBytes` of JSON. When it is larger it is shrunk in
 * steps, and marked `truncated`: first every string is cut to 1 KiB, then arrays are cut to their
 * first five entries, and as a last resort only the top-level scalar fields are kept.
 */
export function boundSnapshot(
  body: SnapshotBody,
  maxBytes = MAX_SNAPSHOT_BYTES,
): { json: string; truncated: boolean } {
  const full = JSON.stringify(body);
  if (byteLength(full) <= maxBytes) return { json: full, truncated: false };
  const shortStrings = truncateStrings(body, TRUNCATED_STRING) as SnapshotBody;
  const attempts: SnapshotBody[] = [
    shortStrings,
    Object.fromEntries(
      Object.entries(shortStrings).map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, 5) : v]),
    ),
    Object.fromEntries(Object.entries(shortStrings).filter(([, v]) => v === null || typeof v !== 'object')),
  ];
  for (const candidate of attempts) {
    const json = JSON.stringify({ ...candidate, truncated: true });
    if (byteLength(json) <= maxBytes) return { json, truncated: true };
  }
  return { json: JSON.stringify({ truncated: true }), truncated: true };
}

/** The snapshot store on the ledger table. */
export function createSnapshotStore(client: DynamoDBClient, tableName: string): SnapshotStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

  return translatePortErrors({
    async saveSnapshot({ serviceArn, at, trigger, body }) {
      const key = snapshotSortKey(at);
      const { json, truncated } = boundSnapshot(body);
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: servicePartitionKey(serviceArn),
              sk: key,
              kind: 'snapshot',
              serviceArn,
              capturedAt: at.toISOString(),
              trigger,
              truncated,
              snapshot: json,
              expiresAt: epochSeconds(at, SNAPSHOT_RETENTION_DAYS),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      return { key, truncated, bytes: byteLength(json) };
    },
    async getSnapshot(serviceArn, key) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: servicePartitionKey(serviceArn), sk: key } }),
      );
      const item = out.Item;
      if (!item) return undefined;
      return {
        key,
        body: JSON.parse(String(item.snapshot)) as SnapshotBody,
        truncated: item.truncated === true,
        trigger: String(item.trigger),
      };
    },
    async claimOwner(pk, claim) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk, sk: `cleanup#claim#${claim}` },
          ConsistentRead: true,
        }),
      );
      return out.Item ? String(out.Item.owner) : undefined;
    },
    async claim(pk, claim, owner, at) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk,
              sk: `cleanup#claim#${claim}`,
              kind: 'cleanup-claim',
              owner,
              at: at.toISOString(),
              expiresAt: epochSeconds(at, CLAIM_RETENTION_DAYS),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async deletionAttempts(serviceArn) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: servicePartitionKey(serviceArn), sk: 'cleanup#attempts' },
          ConsistentRead: true,
        }),
      );
      const n = out.Item?.attempts;
      return typeof n === 'number' ? n : 0;
    },
    async recordDeletionAttempt(serviceArn, attempt, at) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: servicePartitionKey(serviceArn), sk: 'cleanup#attempts' },
            UpdateExpression: 'SET attempts = :n, updatedAt = :at, kind = :kind, expiresAt = :exp',
            ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :n',
            ExpressionAttributeValues: {
              ':n': attempt,
              ':at': at.toISOString(),
              ':kind': 'cleanup-attempts',
              ':exp': epochSeconds(at, CLAIM_RETENTION_DAYS),
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  });
}
