import type { Context } from 'aws-lambda';
import { createTargets } from '../../lib/targets.ts';
import { lambdaContext as buildContext, guardEnvironment } from '../../sandbox/guard-env.ts';

/** A complete, valid guard environment for tests; override single settings per test. */
export const ACCOUNT_ID = '111122223333';
export const REGION = 'us-east-1';

/** The targets of a guard without GUARD_TARGETS: the hub only (default: the tests' account and region). */
export function hubTargets(account = ACCOUNT_ID, region = REGION) {
  return createTargets({ entries: [] }, { account, region });
}

export function guardEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...guardEnvironment(ACCOUNT_ID, REGION, {
      functionPrefix: 'apprunner-guard-test-',
      idempotencyTable: 'guard-idempotency',
      ledgerTable: 'guard-ledger',
      topicName: 'apprunner-guard-alerts',
      schedulerGroup: 'apprunner-guard-test',
      schedulerRole: 'apprunner-guard-scheduler',
    }),
    ...overrides,
  };
}

/** A minimal Lambda context for invoking handlers in tests. */
export function lambdaContext(functionName = 'apprunner-guard-test', remainingMs = 60_000): Context {
  return buildContext({
    functionName,
    region: REGION,
    account: ACCOUNT_ID,
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    timeoutMs: remainingMs,
    logStreamName: 'test',
  });
}
