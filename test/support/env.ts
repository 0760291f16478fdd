/** A complete, valid guard environment for tests; override single settings per test. */
export const ACCOUNT_ID = '111122223333';
export const REGION = 'us-east-1';

export function guardEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GUARD_ACCOUNT_ID: ACCOUNT_ID,
    AWS_REGION: REGION,
    IDEMPOTENCY_TABLE: 'guard-idempotency',
    LEDGER_TABLE: 'guard-ledger',
    ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT_ID}:apprunner-guard-alerts`,
    SLACK_WEBHOOK_PARAMETER: '/apprunner-guard/slack-webhook-url',
    EVENT_BUS_NAME: 'default',
    CLEANUP_GRACE_MINUTES: '1440',
    CLEANUP_MAX_DELETE_ATTEMPTS: '5',
    SERVICE_QUOTA: '30',
    ROLLBACK_LOOP_LIMIT: '3',
    ROLLBACK_LOOP_WINDOW_MINUTES: '60',
    LEDGER_HISTORY_LIMIT: '20',
    DRY_RUN_ROLLBACK: 'false',
    DRY_RUN_CLEANUP: 'false',
    DRY_RUN_PAUSE_RESUME: 'false',
    PAUSE_RESUME_MAX_CONCURRENCY: '5',
    PAUSE_RESUME_MAX_RETRIES: '6',
    PAUSE_RESUME_RETRY_MINUTES: '10',
    SCHEDULER_GROUP: 'apprunner-guard-test',
    SCHEDULER_ROLE_ARN: `arn:aws:iam::${ACCOUNT_ID}:role/apprunner-guard-scheduler`,
    CLEANUP_FUNCTION_ARN: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:apprunner-guard-test-cleanup`,
    PAUSE_RESUME_FUNCTION_ARN: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:apprunner-guard-test-pause-resume`,
    ...overrides,
  };
}

/** A minimal Lambda context for invoking handlers in tests. */
export function lambdaContext(functionName = 'apprunner-guard-test', remainingMs = 60_000) {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
