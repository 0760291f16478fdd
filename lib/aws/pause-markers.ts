import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import type { PauseMarkerStore } from '../core/ports/pause-markers.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import { translatePortErrors } from './errors.ts';
import { fleetPartitionKey } from './keys.ts';

export type { PauseMarkerStore } from '../core/ports/pause-markers.ts';

const SK_PREFIX = 'paused#';

function partitionOf(serviceArn: string): string {
  const ref = parseServiceArn(serviceArn);
  if (!ref) throw new Error(`not an App Runner service ARN: ${serviceArn}`);
  return fleetPartitionKey(ref.account, ref.region);
}

/**
 * Pause markers on the ledger table: `pk = fleet#<account>#<region>`, `sk = paused#<serviceArn>`,
 * so one query returns a target's markers. No TTL: a marker lives until its service is resumed.
 */
export function createPauseMarkerStore(client: DynamoDBClient, tableName: string): PauseMarkerStore {
  const doc = DynamoDBDocumentClient.from(client);
  return translatePortErrors({
    async list(target) {
      const out = new Map<string, string>();
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: {
            ':pk': fleetPartitionKey(target.account, target.region),
            ':sk': SK_PREFIX,
          },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          if (typeof item.serviceArn === 'string' && typeof item.marker === 'string')
            out.set(item.serviceArn, item.marker);
        }
      }
      return out;
    },
    async get(serviceArn) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: partitionOf(serviceArn), sk: `${SK_PREFIX}${serviceArn}` },
          ConsistentRead: true,
        }),
      );
      return typeof out.Item?.marker === 'string' ? out.Item.marker : undefined;
    },
    async put(serviceArn, marker) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: partitionOf(serviceArn), sk: `${SK_PREFIX}${serviceArn}`, serviceArn, marker },
        }),
      );
    },
    async putMany(serviceArns, marker) {
      // BatchWriteItem takes 25 items; what DynamoDB leaves unprocessed is written again.
      for (let i = 0; i < serviceArns.length; i += 25) {
        let requests = serviceArns.slice(i, i + 25).map((serviceArn) => ({
          PutRequest: {
            Item: { pk: partitionOf(serviceArn), sk: `${SK_PREFIX}${serviceArn}`, serviceArn, marker },
          },
        }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt >= 5) throw new Error(`could not write ${requests.length} pause marker(s)`);
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }
    },
    async remove(serviceArn) {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: partitionOf(serviceArn), sk: `${SK_PREFIX}${serviceArn}` },
        }),
      );
    },
  });
}
