import type { Context } from 'aws-lambda';

/** Names that differ between the sandbox, the tests and a deployment. */
export interface GuardEnvNames {
  /** Prefix of the deployed function names (`<prefix>cleanup`, …), like `${AWS::StackName}-`. */
  functionPrefix: string;
  idempotencyTable: string;
  ledgerTable: string;
  topicName: string;
  schedulerGroup: string;
  schedulerRole: string;
}

/**
 * A complete, valid guard environment (every variable `lib/config.ts` requires), with the
 * defaults of `serverless.yml` params. The one list the sandbox and the tests build on, so a new
 * setting is added in one place.
 */
export function guardEnvironment(
  account: string,
  region: string,
  names: GuardEnvNames,
): Record<string, string> {
  return {
    GUARD_ACCOUNT_ID: account,
    AWS_REGION: region,
    IDEMPOTENCY_TABLE: names.idempotencyTable,
    LEDGER_TABLE: names.ledgerTable,
    ALERT_TOPIC_ARN: `arn:aws:sns:${region}:${account}:${names.topicName}`,
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
    DRY_RUN_FIX_FORWARD: 'false',
    DRY_RUN_BAKE: 'false',
    PAUSE_RESUME_MAX_CONCURRENCY: '5',
    PAUSE_RESUME_MAX_RETRIES: '6',
    PAUSE_RESUME_RETRY_MINUTES: '10',
    PAUSE_RESUME_RATE_PER_SECOND: '10',
    SCHEDULER_GROUP: names.schedulerGroup,
    SCHEDULES_GROUP: `${names.schedulerGroup}-schedules`,
    SCHEDULER_ROLE_ARN: `arn:aws:iam::${account}:role/${names.schedulerRole}`,
    CLEANUP_FUNCTION_ARN: `arn:aws:lambda:${region}:${account}:function:${names.functionPrefix}cleanup`,
    PAUSE_RESUME_FUNCTION_ARN: `arn:aws:lambda:${region}:${account}:function:${names.functionPrefix}pause-resume`,
    NOTIFY_FUNCTION_ARN: `arn:aws:lambda:${region}:${account}:function:${names.functionPrefix}notify`,
    RECORD_RELEASE_FUNCTION_ARN: `arn:aws:lambda:${region}:${account}:function:${names.functionPrefix}record-release`,
    // The bake window's default alarm (serverless.yml params bakeAlarmThresholdPercent; the prefix is the stack's).
    BAKE_ALARM_PREFIX: `${names.functionPrefix}bake-`,
    BAKE_ALARM_THRESHOLD_PERCENT: '5',
    // Simulated time is known only from triggers: wake-ups are clamped against the trigger's time.
    GUARD_CLOCK: 'trigger',
    // Slack: the webhook by default (serverless.yml params); the sandbox's app mode sets the rest.
    SLACK_MODE: 'webhook',
    SLACK_BOT_TOKEN_PARAMETER: 'none',
    SLACK_ONCALL_CHANNEL: 'none',
    SLACK_INFO_CHANNEL: 'none',
    SLACK_CRITICAL_MENTION: 'none',
    // The Slack actions (serverless.yml params): the sandbox's allowlist admits U0ONCALL for every action.
    SLACK_SIGNING_SECRET_PARAMETER: '/apprunner-guard/slack-signing-secret',
    SLACK_ACTIONS_ALLOW: JSON.stringify({
      'keep-service': ['U0ONCALL'],
      'keep-running': ['U0ONCALL'],
      rollback: ['U0ONCALL'],
      'release-pin': ['U0ONCALL'],
    }),
  };
}

/** A Lambda context as the runtime passes it, with a deadline `timeoutMs` from now. */
export function lambdaContext(options: {
  functionName: string;
  region: string;
  account: string;
  requestId: string;
  timeoutMs: number;
  logStreamName?: string;
}): Context {
  // Real time, not Date.now: the sandbox shows handlers the simulated clock through Date.now.
  const deadline = performance.now() + options.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.account}:function:${options.functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: options.requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: options.logStreamName ?? 'local',
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
