import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimScope, SnapshotBody, SnapshotStore } from '../core/ports/cleanup-records.ts';
import { cutText } from '../core/text.ts';
import { translatePortErrors } from './errors.ts';
import { fleetPartitionKey, servicePartitionKey } from './keys.ts';

export type {
  ClaimScope,
  SnapshotBody,
  SnapshotInput,
  SnapshotStore,
} from '../core/ports/cleanup-records.ts';

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

/** The partition of a claim's scope: one service's records, or the fleet's of one account and region. */
const scopeKey = (scope: ClaimScope) =>
  'serviceArn' in scope
    ? servicePartitionKey(scope.serviceArn)
    : fleetPartitionKey(scope.account, scope.region);

/** Sort key of a snapshot taken at `at`. */
export const snapshotSortKey = (at: Date) => `snapshot#${at.toISOString()}`;

const epochSeconds = (at: Date, plusDays: number) => Math.floor(at.getTime() / 1000) + plusDays * 86_400;

function truncateStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return cutText(value, max);
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
    async claimOwner(scope, claim) {
      const pk = scopeKey(scope);
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk, sk: `cleanup#claim#${claim}` },
          ConsistentRead: true,
        }),
      );
      return out.Item ? String(out.Item.owner) : undefined;
    },
    async claim(scope, claim, owner, at) {
      const pk = scopeKey(scope);
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
