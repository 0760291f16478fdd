/**
 * Lambda handlers built the way functions/*.ts build them, with their dependencies injected:
 * config from a test environment (never process.env), DynamoDB on the test's dynalite, SDK
 * clients faked with aws-sdk-client-mock.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { createCleanupDeps } from '../../lib/aws/cleanup-ports.ts';
import { createGuardEventPublisher } from '../../lib/aws/guard-events.ts';
import { createIdempotencyStore } from '../../lib/aws/idempotency.ts';
import { createRecordReleasePorts } from '../../lib/aws/release-ports.ts';
import { loadConfig } from '../../lib/config.ts';
import { guardEnv, lambdaContext, REGION } from './env.ts';

/** A handler as the tests call it. */
export type TestHandler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

/** Invokes a handler with a fresh Lambda context. */
export const invokeWith = (handler: TestHandler, event: unknown) =>
  handler(event, lambdaContext() as unknown as Context);

/** The rollback and record-release handlers over one dynalite, with config overrides (e.g. dry-run). */
export async function releaseHandlers(
  db: { client: DynamoDBClient },
  overrides: Record<string, string> = {},
) {
  const config = loadConfig(guardEnv({ AWS_REGION: REGION, ...overrides }));
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const idempotency = createIdempotencyStore(db.client, config.idempotencyTable);
  const onReject = async () => {};
  const publisher = createGuardEventPublisher(new EventBridgeClient({ region: REGION }), config.eventBusName);
  const ports = createRecordReleasePorts(config, db.client, publisher);
  const rollbackJob = await import('../../lib/rollback/job.ts');
  const releaseJob = await import('../../lib/release/job.ts');
  return {
    rollback: rollbackJob.createHandler({
      logger,
      idempotency,
      onReject,
      accountId: config.accountId,
      ports,
      // Lambda's async invoke: the first attempt plus two retries (as functions/rollback.ts).
      settings: config.rollback,
    }) as unknown as TestHandler,
    recordRelease: releaseJob.createHandler({
      logger,
      idempotency,
      onReject,
      accountId: config.accountId,
      ports,
      settings: { ...config.ledger, bake: config.bake },
    }) as unknown as TestHandler,
  };
}

/**
 * The cleanup handler over one dynalite, wired by `createCleanupDeps` as functions/cleanup.ts
 * wires it, with config overrides (e.g. `DRY_RUN_CLEANUP`). Events arrive as direct invocations.
 */
export async function cleanupHandler(db: { client: DynamoDBClient }, overrides: Record<string, string> = {}) {
  const config = loadConfig(guardEnv({ AWS_REGION: REGION, ...overrides }));
  const publisher = createGuardEventPublisher(new EventBridgeClient({ region: REGION }), config.eventBusName);
  const { cleanupJob } = await import('../../lib/cleanup/job.ts');
  return cleanupJob.createHandler({
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    idempotency: createIdempotencyStore(db.client, config.idempotencyTable),
    onReject: async () => {},
    ...createCleanupDeps(config, db.client, publisher),
  }) as unknown as TestHandler;
}
