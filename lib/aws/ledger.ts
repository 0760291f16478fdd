import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  LedgerPort,
  PinRecord,
  PinReleaseRecord,
  QuarantineRecord,
  ReleaseRecord,
  RollbackRecord,
} from '../core/ports/release-ledger.ts';
import { translatePortErrors } from './errors.ts';
import { repositoryPinsPartitionKey, servicePartitionKey } from './keys.ts';

export type {
  LedgerPort,
  PinRecord,
  PinReleaseRecord,
  QuarantineRecord,
  ReleaseRecord,
  RollbackRecord,
} from '../core/ports/release-ledger.ts';

/**
 * The release ledger (docs/architecture.md, "Data") on the ledger table (`pk`/`sk`, TTL attribute `expiresAt`).
 * One partition per service, `pk = service#<serviceArn>`; each kind of item has its own `sk` prefix
 * so jobs can share the table without reading each other's items:
 *
 * | sk | item |
 * |---|---|
 * | `release#<iso time>#<digest>` | a release, known-good or a candidate baking (one per digest, newest time kept; bounded history) |
 * | `quarantine#<digest>` | a digest that failed: never a rollback target |
 * | `rollback#<iso time>#<trigger>` | a rollback the guard started (loop guard, own-rollback detection) |
 * | `attempt#<trigger>` | attempts at handling one event (final deferral) |
 * | `pin` | what the guard's digest pin replaced (tag, automatic deployments), until released |
 * | `pin-release` | the last pin released: the digest it released to, until the service is pinned again |
 *
 * Each pin record has a copy under `pk = pins#<repository>`, `sk = service#<serviceArn>`, so a push
 * to a repository finds its pinned services with one query (no index to keep).
 *
 * Other jobs add their own prefix (e.g. cleanup's snapshots) under the same partition (`./keys.ts`).
 */

/** Normalizes a time to the fixed-width ISO form sort keys need (lexicographic = chronological). */
export function isoTime(time: string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) throw new Error(`not a time: "${time}"`);
  return d.toISOString();
}

const DAY_SECONDS = 24 * 60 * 60;
const ROLLBACK_TTL_DAYS = 90;
const QUARANTINE_TTL_DAYS = 180;

const epochSeconds = (time: string, plusDays: number) =>
  Math.floor(new Date(time).getTime() / 1000) + plusDays * DAY_SECONDS;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const optStr = (key: string, v: unknown) => (typeof v === 'string' && v !== '' ? { [key]: v } : {});

function toRelease(item: Record<string, unknown>): ReleaseRecord {
  return {
    serviceArn: str(item.serviceArn),
    imageIdentifier: str(item.imageIdentifier),
    repository: str(item.repository),
    digest: str(item.digest),
    time: str(item.time),
    eventId: str(item.eventId),
    ...(item.state === 'candidate' ? { state: 'candidate' as const } : {}),
    ...optStr('promotedAt', item.promotedAt),
  };
}

function toQuarantine(item: Record<string, unknown>): QuarantineRecord {
  return {
    serviceArn: str(item.serviceArn),
    digest: str(item.digest),
    time: str(item.time),
    reason: str(item.reason),
    trigger: str(item.trigger),
  };
}

function toPin(item: Record<string, unknown>): PinRecord {
  return {
    serviceArn: str(item.serviceArn),
    replacedImage: str(item.replacedImage),
    repository: str(item.repository),
    ...optStr('tag', item.tag),
    autoDeploymentsEnabled: item.autoDeploymentsEnabled === true,
    ...optStr('failedDigest', item.failedDigest),
    pinnedImage: str(item.pinnedImage),
    pinnedDigest: str(item.pinnedDigest),
    time: str(item.time),
    reason: str(item.reason),
    trigger: str(item.trigger),
  };
}

const PIN_SK = 'pin';
const PIN_RELEASE_SK = 'pin-release';

function toPinRelease(item: Record<string, unknown>): PinReleaseRecord {
  const pin = item.pin !== null && typeof item.pin === 'object' ? (item.pin as Record<string, unknown>) : {};
  return {
    serviceArn: str(item.serviceArn),
    releasedTo: str(item.releasedTo),
    digest: str(item.digest),
    pin: toPin(pin),
    time: str(item.time),
    trigger: str(item.trigger),
    ...optStr('operationId', item.operationId),
  };
}
const pinCopySk = (serviceArn: string) => `service#${serviceArn}`;

function toRollback(item: Record<string, unknown>): RollbackRecord {
  return {
    serviceArn: str(item.serviceArn),
    time: str(item.time),
    trigger: str(item.trigger),
    kind: item.kind === 'manual' ? 'manual' : 'automatic',
    status: item.status === 'pending' ? 'pending' : 'started',
    fromImage: str(item.fromImage),
    ...optStr('fromDigest', item.fromDigest),
    toImage: str(item.toImage),
    toDigest: str(item.toDigest),
    ...optStr('operationId', item.operationId),
  };
}

/** The DynamoDB adapter of {@link LedgerPort}. */
export function createLedgerGateway(client: DynamoDBClient, tableName: string): LedgerPort {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function queryPrefix(serviceArn: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery(
      { client: doc },
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': servicePartitionKey(serviceArn), ':prefix': prefix },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    return items;
  }

  const remove = (serviceArn: string, sk: string) =>
    doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: servicePartitionKey(serviceArn), sk } }));

  async function readPin(serviceArn: string): Promise<PinRecord | undefined> {
    const out = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: servicePartitionKey(serviceArn), sk: PIN_SK },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toPin(out.Item) : undefined;
  }

  return translatePortErrors({
    async listReleases(serviceArn) {
      return (await queryPrefix(serviceArn, 'release#')).map(toRelease);
    },

    async recordRelease(release, { historyLimit }) {
      const time = isoTime(release.time);
      const sk = `release#${time}#${release.digest}`;
      const existing = await queryPrefix(release.serviceArn, 'release#');
      const sameDigest = existing.filter((i) => i.digest === release.digest);
      // Events arrive in no guaranteed order: never move a digest back to an older time.
      if (sameDigest.some((i) => str(i.sk) >= sk)) return { status: 'unchanged', pruned: 0 };
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: servicePartitionKey(release.serviceArn),
            sk,
            itemType: 'release',
            ...release,
            time,
          },
        }),
      );
      for (const old of sameDigest) await remove(release.serviceArn, str(old.sk));
      const kept = [...existing.filter((i) => i.digest !== release.digest).map((i) => str(i.sk)), sk]
        .sort()
        .reverse();
      const excess = kept.slice(historyLimit);
      for (const oldSk of excess) await remove(release.serviceArn, oldSk);
      return { status: sameDigest.length > 0 ? 'refreshed' : 'created', pruned: excess.length };
    },

    async promoteRelease(serviceArn, digest, at) {
      const item = (await queryPrefix(serviceArn, 'release#')).find(
        (i) => i.digest === digest && i.state === 'candidate',
      );
      if (!item) return false;
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: servicePartitionKey(serviceArn), sk: str(item.sk) },
            UpdateExpression: 'SET #state = :good, promotedAt = :at',
            ConditionExpression: '#state = :candidate',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':good': 'known-good',
              ':candidate': 'candidate',
              ':at': isoTime(at),
            },
          }),
        );
        return true;
      } catch (error) {
        // Pruned or promoted meanwhile: nothing left to promote.
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async listQuarantined(serviceArn) {
      return (await queryPrefix(serviceArn, 'quarantine#')).map(toQuarantine);
    },

    async quarantine(record) {
      const time = isoTime(record.time);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: servicePartitionKey(record.serviceArn),
            sk: `quarantine#${record.digest}`,
            itemType: 'quarantine',
            ...record,
            time,
            expiresAt: epochSeconds(time, QUARANTINE_TTL_DAYS),
          },
        }),
      );
    },

    async liftQuarantine(serviceArn, digest) {
      const out = await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: servicePartitionKey(serviceArn), sk: `quarantine#${digest}` },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return out.Attributes !== undefined;
    },

    async listRollbacks(serviceArn) {
      return (await queryPrefix(serviceArn, 'rollback#')).map(toRollback);
    },

    async recordRollback(record) {
      const time = isoTime(record.time);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: servicePartitionKey(record.serviceArn),
            sk: `rollback#${time}#${record.trigger}`,
            itemType: 'rollback',
            ...record,
            time,
            expiresAt: epochSeconds(time, ROLLBACK_TTL_DAYS),
          },
        }),
      );
    },

    getPin: readPin,

    async recordPin(pin) {
      const previous = await readPin(pin.serviceArn);
      const item = { itemType: 'pin', ...pin, time: isoTime(pin.time) };
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: servicePartitionKey(pin.serviceArn), sk: PIN_SK, ...item },
        }),
      );
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: repositoryPinsPartitionKey(pin.repository), sk: pinCopySk(pin.serviceArn), ...item },
        }),
      );
      // A re-pin onto another repository leaves no copy behind under the old one.
      if (previous && previous.repository !== pin.repository) {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: repositoryPinsPartitionKey(previous.repository), sk: pinCopySk(pin.serviceArn) },
          }),
        );
      }
    },

    async removePin(serviceArn) {
      const out = await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: servicePartitionKey(serviceArn), sk: PIN_SK },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const repository = str(out.Attributes?.repository);
      if (repository) {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: repositoryPinsPartitionKey(repository), sk: pinCopySk(serviceArn) },
          }),
        );
      }
      return out.Attributes !== undefined;
    },

    async listPinsByRepository(repository) {
      const items: Record<string, unknown>[] = [];
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': repositoryPinsPartitionKey(repository) },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      return items.map(toPin);
    },

    async recordPinRelease(record) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: servicePartitionKey(record.serviceArn),
            sk: PIN_RELEASE_SK,
            itemType: 'pin-release',
            ...record,
            time: isoTime(record.time),
            expiresAt: epochSeconds(record.time, ROLLBACK_TTL_DAYS),
          },
        }),
      );
    },

    async getPinRelease(serviceArn) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: servicePartitionKey(serviceArn), sk: PIN_RELEASE_SK },
          ConsistentRead: true,
        }),
      );
      return out.Item ? toPinRelease(out.Item) : undefined;
    },

    async removePinRelease(serviceArn) {
      const out = await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: servicePartitionKey(serviceArn), sk: PIN_RELEASE_SK },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return out.Attributes !== undefined;
    },
  });
}
