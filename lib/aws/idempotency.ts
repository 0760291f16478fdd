import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientConfig } from './client-config.ts';

/** Creates the DynamoDB client once per container. */
export function createDynamoDBClient(): DynamoDBClient {
  return new DynamoDBClient(clientConfig());
}

/** Powertools persistence on the idempotency table (`id` hash key, TTL attribute `expiration`). */
export function createIdempotencyStore(client: DynamoDBClient, tableName: string): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
}
