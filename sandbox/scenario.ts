import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { DEFAULT_APP_RUNNER_BEHAVIOUR } from './app-runner/model.ts';
import { type OrganizationUnit, organizationAccounts } from './organizations.ts';
import {
  ALARM_STATE_VALUES,
  codeSource,
  imageSchema,
  OPERATION_KINDS,
  serviceAddress,
  serviceName,
  tagMap,
} from './scenario-fields.ts';
import { loadStep, presentStepKinds, STEP_KIND_NAMES, type StepKindName, stepShape } from './steps/index.ts';

/**
 * The scenario file format (YAML or JSON), documented in `sandbox/README.md`. Times are ISO-8601
 * with a zone, or offsets from `start` like `+90s`, `+5m`, `+2h30m`, `+1d`.
 */

const OFFSET = /^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const timeValue = z.string().refine((s) => (OFFSET.test(s) && s !== '+') || !Number.isNaN(Date.parse(s)), {
  message: 'must be an ISO-8601 time or an offset like +5m, +2h30m, +1d',
});
const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 time with a zone, e.g. 2026-11-20T08:00:00Z',
});

const rate = z.number().min(0).max(1);
const faultRule = z.union([
  rate,
  z
    .object({
      rate: rate.optional(),
      times: z.number().int().min(0).optional(),
      operations: z.array(z.string()).optional(),
      from: timeValue.optional(),
      until: timeValue.optional(),
    })
    .strict(),
]);
/** A fault answering with a named error code, e.g. `{ code: KMSThrottlingException, from: +5m, until: +15m }`. */
const namedErrorRule = z
  .object({
    code: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9.]*$/, { error: 'must be an error code, e.g. KMSThrottlingException' }),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    rate: rate.optional(),
    times: z.number().int().min(0).optional(),
    operations: z.array(z.string()).optional(),
    from: timeValue.optional(),
    until: timeValue.optional(),
  })
  .strict();
const apiFaults = z
  .object({
    throttle: faultRule.optional(),
    tooManyRequests: faultRule.optional(),
    serverError: faultRule.optional(),
    error: namedErrorRule.optional(),
    latencyMs: z.number().int().min(0).max(10_000).optional(),
    maxRequestsPerSecond: z.number().positive().optional(),
  })
  .strict();
const outageRule = z.union([
  rate,
  z
    .object({
      rate: rate.optional(),
      times: z.number().int().min(0).optional(),
      from: timeValue.optional(),
      until: timeValue.optional(),
      status: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
    })
    .strict(),
]);
const faultsSchema = z
  .object({
    apprunner: apiFaults.optional(),
    ecr: apiFaults.optional(),
    ssm: apiFaults.optional(),
    sns: apiFaults.optional(),
    eventbridge: apiFaults.optional(),
    scheduler: apiFaults.optional(),
    sqs: apiFaults.optional(),
    cloudwatch: apiFaults.optional(),
    tagging: apiFaults.optional(),
    sts: apiFaults.optional(),
    organizations: apiFaults.optional(),
    slack: z
      .object({
        rateLimited: faultRule.optional(),
        outage: outageRule.optional(),
        latencyMs: z.number().int().min(0).max(10_000).optional(),
      })
      .strict()
      .optional(),
    /**
     * Slack Web API errors per method (app mode), e.g.
     * `{ chat.update: { error: ratelimited, retryAfterSeconds: 30, at: +5m } }`: the next `times`
     * calls of the method from `at` on answer the error.
     */
    slackApi: z
      .partialRecord(
        z.enum(['chat.postMessage', 'chat.update', 'usergroups.users.list']),
        z
          .object({
            error: z
              .string()
              .regex(/^[a-z][a-z0-9_]{0,63}$/, { error: 'must be a Slack error code, e.g. ratelimited' }),
            times: z.number().int().min(1).max(100).optional(),
            retryAfterSeconds: z.number().int().min(1).max(3600).optional(),
            at: timeValue.optional(),
          })
          .strict(),
      )
      .optional(),
    delivery: z
      .object({
        duplicate: faultRule.optional(),
        shuffleSeconds: z.number().int().min(1).max(3600).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ORGANIZATIONAL_UNIT = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;

const organizationAccount = z.union([
  z.string().regex(ACCOUNT, 'must be a 12-digit account id'),
  z
    .object({
      id: z.string().regex(ACCOUNT, 'must be a 12-digit account id'),
      state: z.enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']),
    })
    .strict(),
]);
const organizationUnit: z.ZodType<OrganizationUnit> = z.lazy(() =>
  z
    .object({
      id: z.string().regex(ORGANIZATIONAL_UNIT, 'must be an OU id (ou-xxxx-xxxxxxxx)'),
      accounts: z.array(organizationAccount).default([]),
      units: z.array(organizationUnit).default([]),
    })
    .strict(),
) as unknown as z.ZodType<OrganizationUnit>;
const spokeRole = z.enum(['ok', 'missing', 'denies']).default('ok');

const serviceSchema = z
  .object({
    name: serviceName,
    /** The target the service is in (default: the hub, the scenario's account and region). */
    account: z.string().regex(ACCOUNT, 'must be a 12-digit account id').optional(),
    region: z.string().regex(REGION, 'must be a region name').optional(),
    id: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex characters')
      .optional(),
    image: z.string().min(1).optional(),
    code: codeSource.optional(),
    status: z.enum(['RUNNING', 'PAUSED', 'CREATE_FAILED', 'DELETE_FAILED']).optional(),
    autoDeploy: z.boolean().optional(),
    tags: tagMap.optional(),
    failNext: z.partialRecord(z.enum(OPERATION_KINDS), z.number().int().min(0)).optional(),
  })
  .strict()
  .refine((s) => !!s.image !== !!s.code, { message: 'give exactly one of image or code' });

/** The name of a step kind (the step registry, `sandbox/steps/`). */
export type StepAction = StepKindName;

// One action per step; the actions are the step kinds of the registry.
const stepSchema = z
  .object({
    at: timeValue.optional(),
    note: z.string().optional(),
    ...stepShape(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const present = presentStepKinds(step as Record<string, unknown>);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `needs one action: ${STEP_KIND_NAMES.join(', ')}`
            : `has several actions (${present.join(', ')}); give one per step`,
      });
    }
  });

const countFields = {
  count: z.number().int().min(0).optional(),
  min: z.number().int().min(0).optional(),
  max: z.number().int().min(0).optional(),
  /** Evaluated and reported, but does not fail the scenario (waiting on a job being built). */
  pending: z.union([z.boolean(), z.string()]).optional(),
};
const matcher = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, ...countFields }).strict();

const expectSchema = z
  .object({
    services: z
      .record(
        serviceAddress,
        z
          .object({
            status: z
              .enum([
                'RUNNING',
                'PAUSED',
                'CREATE_FAILED',
                'DELETE_FAILED',
                'DELETED',
                'OPERATION_IN_PROGRESS',
              ])
              .optional(),
            image: z.string().optional(),
            running: z.string().optional(),
            tags: z.record(z.string(), z.union([z.string(), z.null()])).optional(),
            pending: z.union([z.boolean(), z.string()]).optional(),
          })
          .strict(),
      )
      .optional(),
    events: z
      .array(
        matcher({
          source: z.string().optional(),
          detailType: z.string().optional(),
          status: z.string().optional(),
          service: z.string().optional(),
          job: z.string().optional(),
          outcome: z.string().optional(),
          action: z.string().optional(),
          dryRun: z.boolean().optional(),
          reasonContains: z.string().optional(),
        }),
      )
      .optional(),
    invocations: z
      .array(
        matcher({
          function: z.string().optional(),
          outcome: z.string().optional(),
          reasonContains: z.string().optional(),
          trigger: z.string().optional(),
        }),
      )
      .optional(),
    failedInvocations: z.array(matcher({ function: z.string().optional() })).optional(),
    sns: z
      .array(
        matcher({
          subjectContains: z.string().optional(),
          contains: z.string().optional(),
          attributes: z.record(z.string(), z.string()).optional(),
        }),
      )
      .optional(),
    /**
     * Slack: webhook messages (`contains`) in webhook mode; in app mode the Web API calls
     * (`method`, `thread`: true for a reply in a thread, false for a top-level message or update,
     * `channel`, `contains`, `ok`).
     */
    slack: z
      .array(
        matcher({
          contains: z.string().optional(),
          method: z.enum(['chat.postMessage', 'chat.update', 'usergroups.users.list']).optional(),
          thread: z.boolean().optional(),
          channel: z.string().optional(),
          ok: z.boolean().optional(),
        }),
      )
      .optional(),
    /** Slack interaction requests sent by `slackAction` steps. */
    slackActions: z
      .array(
        matcher({
          action: z.string().optional(),
          service: z.string().optional(),
          user: z.string().optional(),
          status: z.number().int().optional(),
          outcome: z.string().optional(),
        }),
      )
      .optional(),
    apiCalls: z
      .array(
        matcher({
          api: z.string().optional(),
          operation: z.string().optional(),
          error: z.string().optional(),
          /** true: answered 2xx; false: answered with an error. */
          ok: z.boolean().optional(),
          fault: z.boolean().optional(),
        }),
      )
      .optional(),
    schedules: z
      .array(
        matcher({
          kind: z.enum(['created', 'deployed', 'fired', 'deleted', 'never-fires']).optional(),
          nameContains: z.string().optional(),
        }),
      )
      .optional(),
  })
  .strict();

const scheduleDefinitions = z.record(z.string(), z.unknown());

export const scenarioSchema = z
  .object({
    name: z.string().min(1).max(100),
    description: z.string().optional(),
    start: isoTime,
    end: timeValue.optional(),
    seed: z.union([z.number().int(), z.string()]).default(1),
    account: z
      .string()
      .regex(/^\d{12}$/)
      .default('111122223333'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
      .default('us-east-1'),
    settings: z
      .object({
        eventSpelling: z.enum(['PascalCase', 'camelCase']).default('PascalCase'),
        deliveryDelaySeconds: z.number().min(0).max(300).default(1),
        durations: z.partialRecord(z.enum(OPERATION_KINDS), z.number().min(1).max(86_400)).default({}),
        serviceQuota: z.number().int().min(1).default(30),
        retryDelaysSeconds: z.array(z.number().min(0)).max(5).default([60, 120]),
        /** Fire the stack's own schedules (cleanup sweep, pause-resume schedules). */
        deployedSchedules: z.boolean().default(true),
        /** How long App Runner's own rollback of a failed deployment takes (OPERATION_IN_PROGRESS). */
        appRunnerRollbackSeconds: z
          .number({ error: 'must be a number of seconds from 0 to 86400' })
          .min(0, 'must be a number of seconds from 0 to 86400')
          .max(86_400, 'must be a number of seconds from 0 to 86400')
          .default(DEFAULT_APP_RUNNER_BEHAVIOUR.rollbackSeconds),
        /** When DeploymentFailed / UpdateServiceFailed is emitted. */
        failureEventTiming: z
          .enum(['detection', 'after-rollback'], { error: 'must be detection or after-rollback' })
          .default(DEFAULT_APP_RUNNER_BEHAVIOUR.failureEventTiming),
        /**
         * How notify talks to Slack: the incoming webhook, or the Slack app (threads per
         * incident, routing, buttons; the Web API stand-in). App mode's allowlist admits U0ONCALL
         * for every action, as in webhook mode.
         */
        slack: z.enum(['webhook', 'app'], { error: 'must be webhook or app' }).default('webhook'),
        /** Whether a failed UpdateService reverts the configuration to the previous image. */
        updateFailureRevertsConfig: z
          .boolean({ error: 'must be true or false' })
          .default(DEFAULT_APP_RUNNER_BEHAVIOUR.updateFailureRevertsConfig),
        /** Whether tagging a service emits `Tag Change on Resource` (undocumented for App Runner). */
        tagEvents: z
          .boolean({ error: 'must be true or false' })
          .default(DEFAULT_APP_RUNNER_BEHAVIOUR.tagEvents),
      })
      .strict()
      .prefault({}),
    config: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .default({}),
    dryRun: z.array(z.enum(['rollback', 'cleanup', 'pause-resume', 'fix-forward', 'bake'])).default([]),
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .default({}),
    /**
     * The accounts and regions the guard watches beyond the hub (the scenario's `account` and
     * `region`): GUARD_TARGETS. Each spoke's role is `ok` (the spoke stack deployed), `missing` (no
     * spoke stack) or `denies` (its trust policy does not admit the hub).
     */
    targets: z
      .array(
        z.union([
          z
            .object({
              account: z.string().regex(ACCOUNT, 'must be a 12-digit account id'),
              regions: z.array(z.string().regex(REGION, 'must be a region name')).min(1),
              role: spokeRole,
            })
            .strict(),
          // Every active account of an OU of `organization` (and the units below it); `role` is
          // the spoke role of each.
          z
            .object({
              ou: z.string().regex(ORGANIZATIONAL_UNIT, 'must be an OU id (ou-xxxx-xxxxxxxx)'),
              regions: z.array(z.string().regex(REGION, 'must be a region name')).min(1),
              role: spokeRole,
            })
            .strict(),
        ]),
      )
      .default([]),
    /**
     * The AWS Organizations the hub reads when `targets` names an OU: its units (each with its
     * accounts, plain ids being `ACTIVE`, and the units below it) and what it answers the hub
     * (`access`: `allowed`, `denied`, `not-in-use`).
     */
    organization: z
      .object({
        access: z.enum(['allowed', 'denied', 'not-in-use']).default('allowed'),
        units: z.array(organizationUnit).default([]),
      })
      .strict()
      .prefault({}),
    /** Pause/resume schedules in the format of `infra/schedules.yml` (replaces that file's). */
    schedules: scheduleDefinitions.optional(),
    images: z.array(imageSchema).default([]),
    /** CloudWatch alarms that exist when the scenario starts (a service's `alarms` tag names them). */
    alarms: z
      .array(z.object({ name: z.string().min(1).max(255), state: z.enum(ALARM_STATE_VALUES) }).strict())
      .default([]),
    fleet: z.array(serviceSchema).default([]),
    steps: z.array(stepSchema).default([]),
    faults: faultsSchema.default({}),
    expect: expectSchema.default({}),
  })
  .strict();

/** A validated scenario. */
export type Scenario = z.infer<typeof scenarioSchema> & { file?: string };
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Step = Scenario['steps'][number];
export type Expectations = Scenario['expect'];
export type FaultsInput = Scenario['faults'];

/**
 * The spokes of a scenario, one entry per account: its listed accounts, then, with an OU entry, every
 * account of the organisation (an account listed and in the organisation is one spoke, with the
 * listed entry's role and both entries' regions), whatever Organizations will answer the hub.
 */
export function spokeTargets(
  scenario: Pick<Scenario, 'targets' | 'organization'>,
): Array<{ account: string; regions: string[]; role: 'ok' | 'missing' | 'denies' }> {
  const out = new Map<string, { account: string; regions: string[]; role: 'ok' | 'missing' | 'denies' }>();
  const add = (account: string, regions: string[], role: 'ok' | 'missing' | 'denies') => {
    const known = out.get(account);
    if (known) known.regions = [...new Set([...known.regions, ...regions])];
    else out.set(account, { account, regions: [...regions], role });
  };
  for (const t of scenario.targets) if ('account' in t) add(t.account, t.regions, t.role);
  // Every account of the organisation may join an OU while the scenario runs (a `move-account`
  // step): each has a simulator and a spoke role in the OU entries' regions, as a StackSet deployed
  // to the organisation would give it. The guard acts only where its own reading of the OU says.
  for (const t of scenario.targets)
    if ('ou' in t) for (const a of organizationAccounts(scenario.organization)) add(a, t.regions, t.role);
  return [...out.values()];
}

/** A scenario file is wrong: the message names the file and each offending field. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys')
    message = `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  else if (issue.code === 'invalid_type' && issue.input === undefined) message = 'is required';
  else if (issue.code === 'invalid_union') message = 'has an invalid value';
  return path ? `${path}: ${message}` : message;
}

/**
 * Validates a parsed scenario.
 *
 * @throws ScenarioError listing every problem with its path (`steps.2.deploy.service: is required`).
 */
export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  // With the input in each issue, a value of the wrong type is told apart from a missing one.
  const r = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    throw new ScenarioError(`${source} is invalid:\n  - ${r.error.issues.map(describeIssue).join('\n  - ')}`);
  }
  const scenario: Scenario = r.data;
  const start = Date.parse(scenario.start);
  const problems: string[] = [];
  scenario.steps.forEach((step, i) => {
    if (step.at && toEpoch(step.at, start) < start) problems.push(`steps.${i}.at: is before start`);
  });
  if (scenario.end && toEpoch(scenario.end, start) < start) problems.push('end: is before start');
  const names = new Set<string>();
  const targets = new Set([`${scenario.account}/${scenario.region}`]);
  for (const t of spokeTargets(scenario)) for (const r of t.regions) targets.add(`${t.account}/${r}`);
  scenario.targets.forEach((t, i) => {
    if (
      'ou' in t &&
      !scenario.organization.units.some(function has(u): boolean {
        return u.id === t.ou || u.units.some(has);
      })
    )
      problems.push(`targets.${i}.ou: ${t.ou} is not a unit of the scenario's organization`);
  });
  for (const s of scenario.fleet) {
    const where = `${s.account ?? scenario.account}/${s.region ?? scenario.region}`;
    const address = `${where}/${s.name}`;
    if (names.has(address)) problems.push(`fleet: service "${address}" is declared twice`);
    if (!targets.has(where))
      problems.push(`fleet: service "${s.name}" is in ${where}, not one of the targets`);
    names.add(address);
  }
  if (problems.length > 0) throw new ScenarioError(`${source} is invalid:\n  - ${problems.join('\n  - ')}`);
  return scenario;
}

/**
 * Reads a scenario file (`.yml`, `.yaml` or `.json`). Event files named by steps
 * (`event: { file: … }`) are resolved relative to the scenario file.
 *
 * @throws ScenarioError when the file cannot be read, parsed or validated.
 */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`cannot read scenario ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(
      `scenario ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
  const scenario = parseScenario(raw, basename(path));
  const dir = dirname(resolve(path));
  for (const step of scenario.steps) {
    try {
      loadStep(step, { dir });
    } catch (error) {
      throw new ScenarioError(`scenario ${path}: ${(error as Error).message}`);
    }
  }
  return { ...scenario, file: resolve(path) };
}

/** Converts a scenario time (ISO or `+offset`) to epoch ms. */
export function toEpoch(value: string, start: number): number {
  const m = OFFSET.exec(value);
  if (!m) return Date.parse(value);
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0));
  return start + (((d! * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}
