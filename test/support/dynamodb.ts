import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { createGuardTables, type LocalDynamoDB, startDynamoDB } from '../../sandbox/dynamodb.ts';

/** The guard's two table names (idempotency and ledger). */
export interface GuardTableNames {
  idempotency: string;
  ledger: string;
}

/** dynalite for one test file, live between its `beforeAll` and `afterAll`. */
export interface TestDynamoDB {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  /** A client of it. */
  readonly client: DynamoDBClient;
  /** Creates the guard's tables under other names (a fresh pair per test, say). */
  createTables(names: GuardTableNames): Promise<void>;
}

/**
 * Starts dynalite (a real DynamoDB implementation, in memory) before the file's tests, creates the
 * guard's tables when `tables` names them, and closes it after them. Call it at the top of the
 * file, before any `beforeAll` that uses it: hooks run in the order they are registered.
 */
export function useDynamoDB(options: { tables?: GuardTableNames } = {}): TestDynamoDB {
  let db: LocalDynamoDB | undefined;
  beforeAll(async () => {
    db = await startDynamoDB();
    if (options.tables) await createGuardTables(db.client, options.tables);
  });
  afterAll(async () => {
    await db?.close();
    db = undefined;
  });
  const live = (): LocalDynamoDB => {
    if (!db)
      throw new Error('dynalite is not running: use it in a test or in a beforeAll after useDynamoDB()');
    return db;
  };
  return {
    get endpoint() {
      return live().endpoint;
    },
    get client() {
      return live().client;
    },
    createTables: (names) => createGuardTables(live().client, names),
  };
}
