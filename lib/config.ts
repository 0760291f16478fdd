import { parseTargets, TargetsError, type TargetsSetting } from './targets.ts';
import * as z from './zod.ts';

const bool = z.pipe(
  z.enum(['true', 'false'], { error: 'must be "true" or "false"' }),
  z.transform((v) => v === 'true'),
);
const positiveInt = (max: number) => z.coerce.number().check(z.int(), z.gte(1), z.lte(max));
const nonEmpty = z.string().check(z.minLength(1, 'is required'));
const matching = (pattern: RegExp, message: string) => z.string().check(z.regex(pattern, message));

const schema = z.object({
  GUARD_ACCOUNT_ID: matching(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  AWS_REGION: nonEmpty,
  IDEMPOTENCY_TABLE: nonEmpty,
  LEDGER_TABLE: nonEmpty,
  ALERT_TOPIC_ARN: matching(/^arn:[\w-]+:sns:[\w-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN'),
  SLACK_WEBHOOK_PARAMETER: matching(/^\/[\w./-]+$/, 'must be an SSM parameter name starting with /'),
  EVENT_BUS_NAME: nonEmpty,
  CLEANUP_GRACE_MINUTES: positiveInt(60 * 24 * 30),
  CLEANUP_MAX_DELETE_ATTEMPTS: positiveInt(20),
  SERVICE_QUOTA: positiveInt(10_000),
  ROLLBACK_LOOP_LIMIT: positiveInt(100),
  ROLLBACK_LOOP_WINDOW_MINUTES: positiveInt(60 * 24 * 7),
  LEDGER_HISTORY_LIMIT: positiveInt(100),
  DRY_RUN_ROLLBACK: bool,
  DRY_RUN_CLEANUP: bool,
  DRY_RUN_PAUSE_RESUME: bool,
  DRY_RUN_FIX_FORWARD: bool,
  // The bake window's deletions of the guard's own default alarms (their opt-in ended).
  DRY_RUN_BAKE: bool,
  SCHEDULER_GROUP: nonEmpty,
  SCHEDULES_GROUP: nonEmpty,
  SCHEDULER_ROLE_ARN: matching(/^arn:[\w-]+:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
  CLEANUP_FUNCTION_ARN: matching(/^arn:[\w-]+:lambda:/, 'must be a Lambda function ARN'),
  PAUSE_RESUME_FUNCTION_ARN: matching(/^arn:[\w-]+:lambda:/, 'must be a Lambda function ARN'),
  NOTIFY_FUNCTION_ARN: matching(/^arn:[\w-]+:lambda:/, 'must be a Lambda function ARN'),
  RECORD_RELEASE_FUNCTION_ARN: matching(/^arn:[\w-]+:lambda:/, 'must be a Lambda function ARN'),
  // CloudWatch alarm names: the prefix of the guard's own alarms (its IAM policy is scoped to it).
  BAKE_ALARM_PREFIX: matching(/^[\w.-]{1,120}$/, 'must be 1-120 letters, digits, "_", "." or "-"'),
  BAKE_ALARM_THRESHOLD_PERCENT: z.coerce.number().check(z.gt(0), z.lte(100)),
  PAUSE_RESUME_MAX_CONCURRENCY: positiveInt(50),
  PAUSE_RESUME_MAX_RETRIES: positiveInt(20),
  PAUSE_RESUME_RETRY_MINUTES: positiveInt(120),
  // App Runner calls per second a schedule run starts at in each account and region (lib/pause-resume/pacer.ts).
  PAUSE_RESUME_RATE_PER_SECOND: z.coerce.number().check(z.gt(0), z.lte(1000)),
  // Optional: unset or empty means the hub's own account and region only (lib/targets.ts).
  GUARD_TARGETS: z.optional(z.string()),
  /**
   * The stack's name (`apprunner-guard-<stage>`): the spoke role in each target is
   * `<stack>-spoke-<region>` (infra/spoke). Required when GUARD_TARGETS lists targets beyond the hub.
   */
  GUARD_STACK_NAME: z.optional(
    z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,42}$/, 'must be a stack name')),
  ),
  /** The external id the spoke roles require (sts:ExternalId); required with GUARD_TARGETS. */
  // Empty: none (serverless.yml's param default, for a guard without spokes).
  GUARD_SPOKE_EXTERNAL_ID: z.optional(
    z.string().check(z.regex(/^([\w+=,.@:/-]{16,1224})?$/, 'must be 16 to 1224 of [A-Za-z0-9_+=,.@:/-]')),
  ),
  /**
   * Or: the SSM SecureString parameter holding it (the spokeExternalIdParameter param), read once
   * per container. Empty: none.
   */
  GUARD_SPOKE_EXTERNAL_ID_PARAMETER: z.optional(
    z.string().check(z.regex(/^(\/[\w./-]+)?$/, 'must be an SSM parameter name starting with /')),
  ),
  /**
   * What "now" is for wake-ups: the system clock (deployed; absent means this), or the trigger's
   * time (the sandbox, whose simulated time only its triggers carry).
   */
  GUARD_CLOCK: z.optional(z.enum(['system', 'trigger'])),
});

/** The guard's configuration, parsed once per container from the environment. */
export interface GuardConfig {
  accountId: string;
  region: string;
  idempotencyTable: string;
  ledgerTable: string;
  alertTopicArn: string;
  slackWebhookParameter: string;
  eventBusName: string;
  cleanup: { graceMinutes: number; maxDeleteAttempts: number; serviceQuota: number; dryRun: boolean };
  rollback: { loopLimit: number; loopWindowMinutes: number; dryRun: boolean };
  ledger: { historyLimit: number };
  fixForward: { dryRun: boolean };
  /**
   * The bake window's default alarm: its name prefix and its 5xx-share threshold (percent); dry-run
   * of deleting the guard's alarms whose opt-in ended (reported, kept).
   */
  bake: { alarmPrefix: string; thresholdPercent: number; dryRun: boolean };
  pauseResume: {
    dryRun: boolean;
    maxConcurrency: number;
    maxRetries: number;
    retryMinutes: number;
    /** App Runner calls per second per target a schedule run starts at and never exceeds. */
    ratePerSecond: number;
  };
  scheduler: {
    /** The group of the guard's one-time schedules (wake-ups). */
    group: string;
    /** The group of the deployed pause/resume schedules (infra/schedules.yml), read back by name. */
    schedulesGroup: string;
    roleArn: string;
    cleanupFunctionArn: string;
    pauseResumeFunctionArn: string;
    notifyFunctionArn: string;
    recordReleaseFunctionArn: string;
    /** `system` (deployed) or `trigger` (the sandbox): the clock wake-ups are clamped against. */
    clock: 'system' | 'trigger';
  };
  /**
   * `GUARD_TARGETS`, parsed and validated: the accounts and regions (or OUs) beyond the hub. Build
   * the answerable set with `createGuardTargets(config)` (lib/aws/organizations.ts), which always
   * includes the hub and reads the OUs' accounts; unset or empty means the hub only.
   */
  targets: TargetsSetting;
  /**
   * How the hub reaches the other targets: the spoke role `<roleNamePrefix>-spoke-<region>` in each
   * account, assumed with `externalId`. `undefined` when the hub is the only target.
   */
  spokes: { roleNamePrefix: string; externalId: SpokeExternalId } | undefined;
}

/**
 * The external id the spoke roles require: its value (`GUARD_SPOKE_EXTERNAL_ID`), or the SSM
 * SecureString parameter holding it (`GUARD_SPOKE_EXTERNAL_ID_PARAMETER`), never both.
 */
export type SpokeExternalId = { value: string } | { parameter: string };

/** A configuration problem: the function must not start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses and validates the environment. Every setting is required: a missing or invalid one
 * throws {@link ConfigError} naming each bad variable, so a broken deployment fails at cold start
 * rather than behaving on a silent default.
 */
export function loadConfig(env: Record<string, string | undefined>): GuardConfig {
  const r = schema.safeParse(env);
  const problems = r.success
    ? []
    : r.error.issues.map((i) => {
        const message = i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message;
        return `${i.path.join('.')} ${message}`;
      });
  let targets: TargetsSetting = { entries: [] };
  try {
    targets = parseTargets(typeof env.GUARD_TARGETS === 'string' ? env.GUARD_TARGETS : undefined);
  } catch (error) {
    if (!(error instanceof TargetsError)) throw error;
    problems.push(`GUARD_TARGETS ${error.message}`);
  }
  if (r.success && r.data.GUARD_SPOKE_EXTERNAL_ID && r.data.GUARD_SPOKE_EXTERNAL_ID_PARAMETER)
    problems.push(
      'GUARD_SPOKE_EXTERNAL_ID and GUARD_SPOKE_EXTERNAL_ID_PARAMETER are both set (params spokeExternalId and spokeExternalIdParameter): set one, the parameter to keep the id in SSM',
    );
  if (r.success && targets.entries.length > 0) {
    if (!r.data.GUARD_STACK_NAME)
      problems.push('GUARD_STACK_NAME is required with GUARD_TARGETS (it names the spoke roles)');
    if (!r.data.GUARD_SPOKE_EXTERNAL_ID && !r.data.GUARD_SPOKE_EXTERNAL_ID_PARAMETER)
      problems.push(
        'GUARD_SPOKE_EXTERNAL_ID is required with GUARD_TARGETS (the spoke roles require it), or GUARD_SPOKE_EXTERNAL_ID_PARAMETER naming the SSM SecureString parameter that holds it',
      );
  }
  if (!r.success || problems.length > 0)
    throw new ConfigError(`apprunner-guard configuration is invalid: ${problems.join('; ')}`);
  const e = r.data;
  return {
    accountId: e.GUARD_ACCOUNT_ID,
    region: e.AWS_REGION,
    idempotencyTable: e.IDEMPOTENCY_TABLE,
    ledgerTable: e.LEDGER_TABLE,
    alertTopicArn: e.ALERT_TOPIC_ARN,
    slackWebhookParameter: e.SLACK_WEBHOOK_PARAMETER,
    eventBusName: e.EVENT_BUS_NAME,
    cleanup: {
      graceMinutes: e.CLEANUP_GRACE_MINUTES,
      maxDeleteAttempts: e.CLEANUP_MAX_DELETE_ATTEMPTS,
      serviceQuota: e.SERVICE_QUOTA,
      dryRun: e.DRY_RUN_CLEANUP,
    },
    rollback: {
      loopLimit: e.ROLLBACK_LOOP_LIMIT,
      loopWindowMinutes: e.ROLLBACK_LOOP_WINDOW_MINUTES,
      dryRun: e.DRY_RUN_ROLLBACK,
    },
    ledger: { historyLimit: e.LEDGER_HISTORY_LIMIT },
    fixForward: { dryRun: e.DRY_RUN_FIX_FORWARD },
    bake: {
      alarmPrefix: e.BAKE_ALARM_PREFIX,
      thresholdPercent: e.BAKE_ALARM_THRESHOLD_PERCENT,
      dryRun: e.DRY_RUN_BAKE,
    },
    pauseResume: {
      dryRun: e.DRY_RUN_PAUSE_RESUME,
      maxConcurrency: e.PAUSE_RESUME_MAX_CONCURRENCY,
      maxRetries: e.PAUSE_RESUME_MAX_RETRIES,
      retryMinutes: e.PAUSE_RESUME_RETRY_MINUTES,
      ratePerSecond: e.PAUSE_RESUME_RATE_PER_SECOND,
    },
    scheduler: {
      group: e.SCHEDULER_GROUP,
      schedulesGroup: e.SCHEDULES_GROUP,
      roleArn: e.SCHEDULER_ROLE_ARN,
      cleanupFunctionArn: e.CLEANUP_FUNCTION_ARN,
      pauseResumeFunctionArn: e.PAUSE_RESUME_FUNCTION_ARN,
      notifyFunctionArn: e.NOTIFY_FUNCTION_ARN,
      recordReleaseFunctionArn: e.RECORD_RELEASE_FUNCTION_ARN,
      clock: e.GUARD_CLOCK ?? 'system',
    },
    targets,
    spokes:
      targets.entries.length > 0
        ? {
            roleNamePrefix: e.GUARD_STACK_NAME!,
            externalId: e.GUARD_SPOKE_EXTERNAL_ID_PARAMETER
              ? { parameter: e.GUARD_SPOKE_EXTERNAL_ID_PARAMETER }
              : { value: e.GUARD_SPOKE_EXTERNAL_ID! },
          }
        : undefined,
  };
}

/**
 * Settings of the `guard` CLI. The CLI runs in an engineer's shell, not in the stack: it needs only
 * what its command touches, read from that shell's environment.
 */
export interface CliConfig {
  /** `AWS_REGION`, else `AWS_DEFAULT_REGION` (the AWS CLI's variable); `--region` sets `AWS_REGION`. */
  region: string;
  /** `LEDGER_TABLE`: the deployed stack's ledger table. */
  ledgerTable: string;
  /** `EVENT_BUS_NAME`: the bus the deployed stack publishes the guard's events to. */
  eventBusName: string;
  /** `SCHEDULER_GROUP`: the deployed stack's group of one-time schedules. */
  schedulerGroup: string;
  /** `SCHEDULER_ROLE_ARN`: the role the stack's one-time schedules invoke its functions with. */
  schedulerRoleArn: string;
  /** `PAUSE_RESUME_FUNCTION_ARN`: the stack's pause-resume function (a wake-up's target). */
  pauseResumeFunctionArn: string;
  /** Who is running the command, recorded with manual actions: `USER`, else `USERNAME`. */
  operator: string;
  /**
   * `GUARD_STACK_NAME`: the deployed stack's name (`apprunner-guard-<stage>`), which prefixes its
   * functions' and queues' names (`guard dlq` finds the DLQs by it).
   */
  stackName: string;
  /** `GUARD_SPOKE_EXTERNAL_ID`: the external id of the spoke roles (`--account`). */
  spokeExternalId: string;
}

const CLI_SETTINGS: {
  [K in keyof CliConfig]: (env: Record<string, string | undefined>) => string | undefined;
} = {
  region: (env) => env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  ledgerTable: (env) => env.LEDGER_TABLE || undefined,
  eventBusName: (env) => env.EVENT_BUS_NAME || undefined,
  schedulerGroup: (env) => env.SCHEDULER_GROUP || undefined,
  schedulerRoleArn: (env) => env.SCHEDULER_ROLE_ARN || undefined,
  pauseResumeFunctionArn: (env) => env.PAUSE_RESUME_FUNCTION_ARN || undefined,
  operator: (env) => env.USER || env.USERNAME || undefined,
  stackName: (env) => env.GUARD_STACK_NAME || undefined,
  spokeExternalId: (env) => env.GUARD_SPOKE_EXTERNAL_ID || undefined,
};

const CLI_MISSING: { [K in keyof CliConfig]: string } = {
  region: 'AWS_REGION is required (or AWS_DEFAULT_REGION)',
  ledgerTable: 'LEDGER_TABLE is required (the ledger table of the deployed stack)',
  eventBusName:
    'EVENT_BUS_NAME is required (the bus the deployed stack publishes to; serverless.yml: default)',
  schedulerGroup: 'SCHEDULER_GROUP is required (the schedule group of the deployed stack)',
  schedulerRoleArn:
    "SCHEDULER_ROLE_ARN is required (the deployed stack's Scheduler role, as the pause-resume function has it)",
  pauseResumeFunctionArn:
    "PAUSE_RESUME_FUNCTION_ARN is required (the deployed stack's pause-resume function, woken at the override's end)",
  operator: 'USER is required (or USERNAME): it names who acted in the ledger and the published event',
  stackName:
    'GUARD_STACK_NAME is required (the deployed stack, e.g. apprunner-guard-dev: its DLQs are <stack>-<function>-dlq)',
  spokeExternalId:
    'GUARD_SPOKE_EXTERNAL_ID is required with --account (the external id the spoke roles require: the spokeExternalId param), or GUARD_SPOKE_EXTERNAL_ID_PARAMETER naming the SSM parameter that holds it',
};

/**
 * Reads the settings a CLI command needs from the environment. Each one is required: a missing
 * one throws {@link ConfigError} naming every missing variable, never a silent default.
 */
export function loadCliConfig<K extends keyof CliConfig>(
  env: Record<string, string | undefined>,
  needs: readonly K[],
): Pick<CliConfig, K> {
  const out: Partial<CliConfig> = {};
  const problems: string[] = [];
  for (const key of needs) {
    const value = CLI_SETTINGS[key](env);
    if (value === undefined) problems.push(CLI_MISSING[key]);
    else out[key] = value;
  }
  if (problems.length > 0) throw new ConfigError(`configuration is missing: ${problems.join('; ')}`);
  return out as Pick<CliConfig, K>;
}

/** The Slack actions this deployment accepts (the same four as `lib/slack-actions/payload.ts`). */
const SLACK_ACTIONS = ['keep-service', 'keep-running', 'rollback', 'release-pin'] as const;
type SlackActionName = (typeof SLACK_ACTIONS)[number];

/** Settings of the Slack actions endpoint and job (docs/architecture.md, "Slack actions"). */
export interface SlackActionsConfig {
  /** SSM SecureString holding the Slack app's signing secret (never the secret itself). */
  signingSecretParameter: string;
  /** Per action, the Slack user ids (`U…`, `W…`) and user-group ids (`S…`) allowed to take it. */
  allow: Record<SlackActionName, string[]>;
  /**
   * SSM SecureString holding the bot token, needed to read user-group members; required when the
   * allowlist names a group, else `undefined`.
   */
  botTokenParameter: string | undefined;
  /** Slack's Web API: {@link SLACK_API_URL}, or a local stand-in (`SLACK_API_URL`, the sandbox). */
  apiUrl: string;
}

/** Slack's Web API. A constant of Slack's, not a deployment setting; the sandbox overrides it. */
export const SLACK_API_URL = 'https://slack.com/api/';

/** https anywhere; plain http only to the loopback interface (a local stand-in). */
function isApiUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    );
  } catch {
    return false;
  }
}

const SLACK_ALLOW_ID = /^[UWS][A-Z0-9]{2,20}$/;
const SSM_NAME = /^\/[\w./-]+$/;

/**
 * Reads the Slack actions settings. `SLACK_ACTIONS_ALLOW` is JSON naming every action, e.g.
 * `{"keep-service":["U0ONCALL","S0PLATFORM"],"keep-running":["U0ONCALL"],"rollback":[],"release-pin":[]}`
 * (an empty list: nobody). A missing action, an unknown action or a malformed id throws
 * {@link ConfigError}: an allowlist is never guessed.
 */
export function loadSlackActionsConfig(env: Record<string, string | undefined>): SlackActionsConfig {
  const problems: string[] = [];
  const signing = env.SLACK_SIGNING_SECRET_PARAMETER;
  if (!signing) problems.push('SLACK_SIGNING_SECRET_PARAMETER is required');
  else if (!SSM_NAME.test(signing))
    problems.push('SLACK_SIGNING_SECRET_PARAMETER must be an SSM parameter name starting with /');
  const allow = {} as Record<SlackActionName, string[]>;
  const rawAllow = env.SLACK_ACTIONS_ALLOW;
  if (!rawAllow) problems.push('SLACK_ACTIONS_ALLOW is required');
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawAllow);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push('SLACK_ACTIONS_ALLOW must be a JSON object of action → list of Slack user or group ids');
    } else {
      const record = parsed as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(SLACK_ACTIONS as readonly string[]).includes(key))
          problems.push(`SLACK_ACTIONS_ALLOW.${key} is not an action (${SLACK_ACTIONS.join(', ')})`);
      }
      for (const action of SLACK_ACTIONS) {
        const ids = record[action];
        if (!Array.isArray(ids)) {
          problems.push(`SLACK_ACTIONS_ALLOW.${action} is required (a list; [] for nobody)`);
          continue;
        }
        const bad = ids.filter((id) => typeof id !== 'string' || !SLACK_ALLOW_ID.test(id));
        if (bad.length > 0)
          problems.push(
            `SLACK_ACTIONS_ALLOW.${action} has ids that are not Slack user or group ids: ${bad.map(String).join(', ')}`,
          );
        allow[action] = ids.filter((id): id is string => typeof id === 'string');
      }
    }
  }
  // serverless.yml's param says "none" when there is no bot token.
  const bot =
    env.SLACK_BOT_TOKEN_PARAMETER && env.SLACK_BOT_TOKEN_PARAMETER !== 'none'
      ? env.SLACK_BOT_TOKEN_PARAMETER
      : undefined;
  if (bot !== undefined && !SSM_NAME.test(bot))
    problems.push('SLACK_BOT_TOKEN_PARAMETER must be an SSM parameter name starting with /');
  const groups = Object.values(allow)
    .flat()
    .filter((id) => id.startsWith('S'));
  if (groups.length > 0 && bot === undefined) {
    problems.push(
      `SLACK_BOT_TOKEN_PARAMETER is required: SLACK_ACTIONS_ALLOW names user groups (${[...new Set(groups)].join(', ')}) whose members only the Slack app can read`,
    );
  }
  const apiUrl = env.SLACK_API_URL || SLACK_API_URL;
  if (!isApiUrl(apiUrl)) problems.push('SLACK_API_URL must be an https URL (http only to a local stand-in)');
  if (problems.length > 0)
    throw new ConfigError(`Slack actions configuration is invalid: ${problems.join('; ')}`);
  return { signingSecretParameter: signing!, allow, botTokenParameter: bot, apiUrl };
}

/** How the notifier talks to Slack: an incoming webhook, or the Slack app (threads, routing, buttons). */
export type SlackMode = 'webhook' | 'app';

/** The Slack app's settings for the notifier (app mode; docs/architecture.md, "Slack threads"). */
export interface SlackAppNotifyConfig {
  /** SSM SecureString holding the bot token (`xoxb-…`, scope `chat:write`); never the token. */
  botTokenParameter: string;
  /** Slack's Web API, or a local stand-in (the sandbox). */
  apiUrl: string;
  /** Channel id of `critical` and `warning` alerts and every incident thread. */
  oncallChannel: string;
  /** Channel id of `info` alerts outside an incident (routine runs); `undefined`: not posted at all. */
  infoChannel: string | undefined;
  /** User group (`S…`) mentioned when an incident turns critical; `undefined`: nobody. */
  criticalMention: string | undefined;
}

/** The notifier's Slack settings. */
export interface SlackNotifyConfig {
  mode: SlackMode;
  /** Present in app mode only. */
  app: SlackAppNotifyConfig | undefined;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,20}$/;
const GROUP_ID = /^S[A-Z0-9]{2,20}$/;

/**
 * Reads the notifier's Slack settings. `SLACK_MODE` is required (`webhook` or `app`); app mode
 * requires `SLACK_BOT_TOKEN_PARAMETER`, `SLACK_ONCALL_CHANNEL`, `SLACK_INFO_CHANNEL` (a channel id
 * or `none`) and `SLACK_CRITICAL_MENTION` (a user-group id or `none`). Anything missing or malformed
 * throws {@link ConfigError} naming each variable: routing is never guessed.
 */
export function loadSlackNotifyConfig(env: Record<string, string | undefined>): SlackNotifyConfig {
  const problems: string[] = [];
  const mode = env.SLACK_MODE;
  if (mode !== 'webhook' && mode !== 'app') {
    problems.push(`SLACK_MODE ${mode ? 'must be "webhook" or "app"' : 'is required ("webhook" or "app")'}`);
  }
  if (mode !== 'app') {
    if (problems.length > 0) throw new ConfigError(`Slack configuration is invalid: ${problems.join('; ')}`);
    return { mode: 'webhook', app: undefined };
  }
  const bot = env.SLACK_BOT_TOKEN_PARAMETER;
  if (!bot || bot === 'none')
    problems.push(
      'SLACK_BOT_TOKEN_PARAMETER is required in app mode (the SSM SecureString of the bot token)',
    );
  else if (!SSM_NAME.test(bot))
    problems.push('SLACK_BOT_TOKEN_PARAMETER must be an SSM parameter name starting with /');
  const oncall = env.SLACK_ONCALL_CHANNEL;
  if (!oncall || oncall === 'none')
    problems.push('SLACK_ONCALL_CHANNEL is required in app mode (a channel id, C…)');
  else if (!CHANNEL_ID.test(oncall))
    problems.push('SLACK_ONCALL_CHANNEL must be a Slack channel id (C…, G…)');
  const info = env.SLACK_INFO_CHANNEL;
  if (!info) problems.push('SLACK_INFO_CHANNEL is required in app mode (a channel id, or "none")');
  else if (info !== 'none' && !CHANNEL_ID.test(info))
    problems.push('SLACK_INFO_CHANNEL must be a Slack channel id (C…, G…) or "none"');
  const mention = env.SLACK_CRITICAL_MENTION;
  if (!mention)
    problems.push('SLACK_CRITICAL_MENTION is required in app mode (a user-group id, S…, or "none")');
  else if (mention !== 'none' && !GROUP_ID.test(mention))
    problems.push('SLACK_CRITICAL_MENTION must be a Slack user-group id (S…) or "none"');
  const apiUrl = env.SLACK_API_URL || SLACK_API_URL;
  if (!isApiUrl(apiUrl)) problems.push('SLACK_API_URL must be an https URL (http only to a local stand-in)');
  if (problems.length > 0) throw new ConfigError(`Slack configuration is invalid: ${problems.join('; ')}`);
  return {
    mode: 'app',
    app: {
      botTokenParameter: bot!,
      apiUrl,
      oncallChannel: oncall!,
      infoChannel: info === 'none' ? undefined : info,
      criticalMention: mention === 'none' ? undefined : mention,
    },
  };
}
