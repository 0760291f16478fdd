import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import type { BakeLedger, BakeRecord } from '../core/ports/bake-ledger.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import { translatePortErrors } from './errors.ts';
import { alarmBakesPartitionKey, servicePartitionKey } from './keys.ts';

export type { BakeLedger, BakeRecord } from '../core/ports/bake-ledger.ts';

/**
 * Bake records on the ledger table (docs/architecture.md, "Data"): `pk = service#<arn>`,
 * `sk = bake`, with a copy under `pk = alarm#<account>#<region>#<alarm name>`,
 * `sk = service#<arn>` for each alarm watching it.
 */
const BAKE_SK = 'bake';
const copySk = (serviceArn: string) => `service#${serviceArn}`;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

function toBake(item: Record<string, unknown>): BakeRecord {
  const status = item.status === 'promoted' || item.status === 'rolled-back' ? item.status : 'baking';
  return {
    serviceArn: str(item.serviceArn),
    trigger: str(item.trigger),
    imageIdentifier: str(item.imageIdentifier),
    repository: str(item.repository),
    digest: str(item.digest),
    deploymentStartedAt: str(item.deploymentStartedAt),
    deployedAt: str(item.deployedAt),
    bakeMinutes: typeof item.bakeMinutes === 'number' ? item.bakeMinutes : 0,
    bakeUntil: str(item.bakeUntil),
    alarms: strings(item.alarms),
    ...(typeof item.ownAlarm === 'string' && item.ownAlarm ? { ownAlarm: item.ownAlarm } : {}),
    firingAtStart: strings(item.firingAtStart),
    status,
    ...(typeof item.endedAt === 'string' && item.endedAt ? { endedAt: item.endedAt } : {}),
    ...(typeof item.endedBy === 'string' && item.endedBy ? { endedBy: item.endedBy } : {}),
  };
}

/** Where an alarm of the service lives: its account and region. */
function whereOf(serviceArn: string) {
  const ref = parseServiceArn(serviceArn);
  if (!ref) throw new Error(`bake record names no App Runner service: "${serviceArn}"`);
  return ref;
}

/** The DynamoDB adapter of {@link BakeLedger}. */
export function createBakeLedger(client: DynamoDBClient, tableName: string): BakeLedger {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function read(serviceArn: string): Promise<BakeRecord | undefined> {
    const out = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: servicePartitionKey(serviceArn), sk: BAKE_SK },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toBake(out.Item) : undefined;
  }

  const removeCopies = async (serviceArn: string, alarms: readonly string[]) => {
    const { account, region } = whereOf(serviceArn);
    for (const alarm of alarms) {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: alarmBakesPartitionKey(account, region, alarm), sk: copySk(serviceArn) },
        }),
      );
    }
  };

  return translatePortErrors({
    getBake: read,

    async recordBake(bake) {
      const { account, region } = whereOf(bake.serviceArn);
      const previous = await read(bake.serviceArn);
      const item = { itemType: 'bake', ...bake };
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: servicePartitionKey(bake.serviceArn), sk: BAKE_SK, ...item },
        }),
      );
      for (const alarm of bake.alarms) {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: alarmBakesPartitionKey(account, region, alarm),
              sk: copySk(bake.serviceArn),
              ...item,
            },
          }),
        );
      }
      // An alarm no longer watched leaves no copy behind.
      if (previous)
        await removeCopies(
          bake.serviceArn,
          previous.alarms.filter((a) => !bake.alarms.includes(a)),
        );
    },

    async listBakesByAlarm(account, region, alarmName) {
      const items: Record<string, unknown>[] = [];
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': alarmBakesPartitionKey(account, region, alarmName) },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      return items.map(toBake);
    },

    async removeBake(serviceArn) {
      const previous = await read(serviceArn);
      if (!previous) return;
      await removeCopies(serviceArn, previous.alarms);
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: servicePartitionKey(serviceArn), sk: BAKE_SK },
        }),
      );
    },
  });
}
