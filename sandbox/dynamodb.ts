import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** A running dynalite server (a real DynamoDB implementation, in memory) on 127.0.0.1. */
export interface LocalDynamoDB {
  endpoint: string;
  client: DynamoDBClient;
  /** Closes the keep-alive connections that are idle. */
  closeIdle(): void;
  close(): Promise<void>;
}

/** Starts dynalite on a free loopback port. */
export async function startDynamoDB(): Promise<LocalDynamoDB> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  return {
    endpoint,
    client,
    closeIdle: () => server.closeIdleConnections(),
    close: () =>
      new Promise((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Creates the guard's two tables with the same keys as infra/resources.cjs: the Powertools
 * idempotency table (`id`) and the ledger (`pk`, `sk`). dynalite has no TTL API; Powertools
 * checks expiry itself.
 */
export async function createGuardTables(
  client: DynamoDBClient,
  names: { idempotency: string; ledger: string },
) {
  await client.send(
    new CreateTableCommand({
      TableName: names.idempotency,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: names.ledger,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
}
