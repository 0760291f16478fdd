import { createRequire } from 'node:module';
import { simulateWaits } from '../lib/aws/waits.ts';
import type { GuardEventDetail } from '../lib/events/guard.ts';
import { AppRunnerSimulator, DEFAULT_DURATIONS, type SimService } from './app-runner.ts';
import { type BusRecord, EventBus, summarizeEvent } from './bus.ts';
import { SimClock } from './clock.ts';
import { CloudWatchStandIn, CloudWatchTargets } from './cloudwatch.ts';
import { QueueDelivery } from './delivery.ts';
import { EcrStandIn } from './ecr.ts';
import { type ActiveWorld, startEnvironment } from './environment.ts';
import { matchesPattern } from './event-pattern.ts';
import { type BusEvent, EventBridgeStandIn } from './eventbridge.ts';
import { evaluateExpectations } from './expect.ts';
import { type ApiName, FaultDice, RealRateLimiter, scenarioFaults } from './faults.ts';
import { SandboxFleets, type Where } from './fleets.ts';
import { guardEnvironment } from './guard-env.ts';
import { type ApiCall, ApiError, type ApiHooks } from './http.ts';
import { ImageRegistry, imageLabel } from './images.ts';
import { type FailedInvocation, LambdaRuntime } from './lambda.ts';
import { OrganizationsStandIn } from './organizations.ts';
import { createPrng } from './prng.ts';
import type { FleetEntry, SandboxReport, TimelineEntry } from './report.ts';
import { loadRoutes } from './routes.ts';
import { type Scenario, spokeTargets, toEpoch } from './scenario.ts';
import { SchedulerStandIn } from './scheduler.ts';
import { SlackReceiver } from './slack.ts';
import { SlackApiStandIn } from './slack-api.ts';
import { SnsStandIn } from './sns.ts';
import { SqsStandIn } from './sqs.ts';
import { SsmStandIn } from './ssm.ts';
import { deployedSchedules, importHandlers, ROOT, readServerless } from './stack.ts';
import { describeStep, runStep, type SlackActionRecord } from './steps/index.ts';
import { callerOf, SandboxIdentities, StsStandIn } from './sts.ts';

export { imageLabel } from './images.ts';
export type { SandboxReport } from './report.ts';
export { loadScenario, parseScenario, type Scenario, ScenarioError } from './scenario.ts';
export { ROOT } from './stack.ts';

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** Powertools log level for the handlers (default `SILENT`, so the timeline stays readable). */
  logLevel?: string;
  /** Called with each timeline entry as it happens (the CLI streams with it). */
  onEntry?: (entry: TimelineEntry) => void;
}

const FUNCTION_PREFIX = 'apprunner-guard-sandbox-';
const SLACK_PATH = '/services/T0SANDBOX/B0SANDBOX/sandboxwebhooksecret';
/** The sandbox Slack app's secrets (SSM SecureStrings, as deployed). */
const SLACK_BOT_TOKEN = 'xoxb-sandbox-0000000000-sandboxbottoken';
const SLACK_SIGNING_SECRET = 'sandboxsigningsecret0123456789ab';
/** The sandbox workspace: the on-call and info channels, the on-call user group. */
const SLACK_APP_CONFIG = {
  SLACK_MODE: 'app',
  SLACK_BOT_TOKEN_PARAMETER: '/apprunner-guard/slack-bot-token',
  SLACK_ONCALL_CHANNEL: 'C0ONCALL',
  SLACK_INFO_CHANNEL: 'C0INFO',
  SLACK_CRITICAL_MENTION: 'S0ONCALL',
};

/** The guard's configuration in the sandbox, before the scenario's `config` and `dryRun`. */
export function sandboxConfig(account: string, region: string): Record<string, string> {
  return guardEnvironment(account, region, {
    functionPrefix: FUNCTION_PREFIX,
    idempotencyTable: 'apprunner-guard-sandbox-idempotency',
    ledgerTable: 'apprunner-guard-sandbox-ledger',
    topicName: 'apprunner-guard-sandbox-alerts',
    schedulerGroup: 'apprunner-guard-sandbox',
    schedulerRole: 'apprunner-guard-sandbox-scheduler',
  });
}

/** What names and unlocks the spoke roles in the sandbox (GUARD_STACK_NAME, GUARD_SPOKE_EXTERNAL_ID). */
export const SANDBOX_STACK = 'apprunner-guard-sandbox';
export const SANDBOX_EXTERNAL_ID = 'sandbox-external-id-0123456789';
/**
 * An SSM SecureString holding {@link SANDBOX_EXTERNAL_ID}: a scenario's `config` may name it as
 * GUARD_SPOKE_EXTERNAL_ID_PARAMETER (with GUARD_SPOKE_EXTERNAL_ID empty) to read the id from SSM.
 */
export const SANDBOX_EXTERNAL_ID_PARAMETER = '/apprunner-guard/sandbox/spoke-external-id';

/**
 * What a spoke forwards to the hub bus: the spoke template's rule patterns (infra/spoke/build.cjs),
 * so a spoke's event reaches the hub exactly when the deployed rules would send it.
 */
const forwarded = (() => {
  const { forwardedPatterns } = createRequire(import.meta.url)('../infra/spoke/build.cjs') as {
    forwardedPatterns: () => Array<{ pattern: unknown }>;
  };
  const patterns = forwardedPatterns().map((p) => p.pattern);
  return (event: unknown) => patterns.some((p) => matchesPattern(p, event));
})();

const DRY_RUN_VARIABLE = {
  rollback: 'DRY_RUN_ROLLBACK',
  cleanup: 'DRY_RUN_CLEANUP',
  'pause-resume': 'DRY_RUN_PAUSE_RESUME',
  'fix-forward': 'DRY_RUN_FIX_FORWARD',
  bake: 'DRY_RUN_BAKE',
} as const;

function guardDecision(event: BusEvent) {
  const d = event.detail as Partial<GuardEventDetail>;
  if (typeof d.job !== 'string' || typeof d.outcome !== 'string') return undefined;
  return {
    job: d.job,
    outcome: d.outcome,
    action: String(d.action ?? ''),
    reason: String(d.reason ?? ''),
    dryRun: d.dryRun === true,
  };
}

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Runs one scenario end to end: seeds the fleet and the image registry, fires the stack's
 * schedules, plays the steps on the simulated clock, delivers every event to the real handlers,
 * and evaluates the scenario's expectations.
 *
 * Handlers are imported afresh for each run with the scenario's configuration (see
 * {@link importHandlers}); the stand-ins' servers are shared by the process and their state is
 * reset, and the DynamoDB tables are recreated, per run. Runs must not overlap.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<SandboxReport> {
  const realStart = performance.now();
  const env = await startEnvironment();
  const start = Date.parse(scenario.start);
  const lastStep = scenario.steps.reduce((t, s) => (s.at ? Math.max(t, toEpoch(s.at, start)) : t), start);
  const end = scenario.end ? toEpoch(scenario.end, start) : lastStep + 60 * 60 * 1000;
  const { account, region } = scenario;

  // Configuration as the deployed functions get it, then the scenario's overrides.
  const config = sandboxConfig(account, region);
  if (scenario.settings.slack === 'app') {
    Object.assign(config, SLACK_APP_CONFIG, { SLACK_API_URL: `${env.endpoints.slackApi}/api/` });
  }
  if (scenario.targets.length > 0) {
    config.GUARD_TARGETS = scenario.targets
      .map((t) => `${'ou' in t ? t.ou : t.account}:${t.regions.join(',')}`)
      .join(';');
    config.GUARD_STACK_NAME = SANDBOX_STACK;
    config.GUARD_SPOKE_EXTERNAL_ID = SANDBOX_EXTERNAL_ID;
  }
  for (const job of scenario.dryRun) config[DRY_RUN_VARIABLE[job]] = 'true';
  Object.assign(config, scenario.config);
  const variables: Record<string, string> = {
    ...config,
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'apprunner-guard',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'SILENT',
    POWERTOOLS_DEV: 'false',
    // Rejection metrics are EMF lines for CloudWatch; here they would only clutter stdout (the
    // timeline shows each rejection as the invocation's outcome).
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(variables)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN']) {
    saved.set(k, process.env[k]);
    delete process.env[k];
  }

  try {
    await env.resetTables({ idempotency: config.IDEMPOTENCY_TABLE!, ledger: config.LEDGER_TABLE! });
    const doc = readServerless();
    const faults = scenarioFaults(scenario, start);
    const clock = new SimClock(new Date(start));
    // Waits inside an invocation (the SDK's backoff, a Slack Retry-After) are simulated: the SDK
    // retries an injected fault after milliseconds, not up to a second of real time per throttle,
    // and a Retry-After moves the clock Slack's rate limit reads (wallNow) instead of sleeping. A
    // fault decided by dice costs nothing to wait out; real waiting only slowed runs down (20 chaos
    // seeds spent most of their time asleep). A scenario with a real-time request limit waits for
    // real: there waiting is the behaviour under test (the fleet bench).
    const realTimeLimit = Object.values(faults.api).some((f) => f?.maxRequestsPerSecond);
    simulateWaits(
      realTimeLimit
        ? undefined
        : {
            retryBackoff: (attempt) => 2 ** attempt,
            sleep: async (ms) => clock.advanceWall(ms),
            now: () => clock.wallNow(),
          },
    );
    const handlers = await importHandlers(doc);
    const routes = loadRoutes(ROOT);

    const prng = createPrng(scenario.seed, 'ids');
    const dice = new FaultDice(createPrng(scenario.seed, 'faults'));
    const timeline: TimelineEntry[] = [];
    const add = (entry: TimelineEntry) => {
      timeline.push(entry);
      options.onEntry?.(entry);
    };
    // Something that takes a while (a handler run, a step) takes its place in the timeline when it
    // starts, so it comes before the events it causes.
    const reserve = () => {
      const index = timeline.length;
      timeline.push({ time: new Date(clock.now).toISOString(), kind: 'note', text: '(running)' });
      return (entry: TimelineEntry) => {
        timeline[index] = entry;
        options.onEntry?.(entry);
      };
    };
    // A function's event given up on: after Lambda's retries, or out of its queue into the DLQ.
    const reportFailure = (f: FailedInvocation) =>
      add({
        time: f.time,
        kind: 'on-failure',
        function: f.function,
        attempts: f.attempts,
        error: f.error,
        trigger: f.trigger.label,
      });
    const iso = () => new Date(clock.now).toISOString();
    const apiCalls: ApiCall[] = [];
    const identities = new SandboxIdentities(account);
    // AWS limits request rates per account and region: one limiter per API and caller.
    const limiters = new Map<string, RealRateLimiter>();
    const limiterOf = (api: ApiName, req: Parameters<ApiHooks['limiter']>[1]) => {
      const perSecond = faults.api[api]?.maxRequestsPerSecond;
      if (!perSecond) return undefined;
      const caller = callerOf(req, identities, region);
      const key = `${api}#${caller.account}/${caller.region}`;
      let limiter = limiters.get(key);
      if (!limiter) {
        limiter = new RealRateLimiter(perSecond);
        limiters.set(key, limiter);
      }
      return limiter;
    };
    const hooks: ApiHooks = {
      now: () => clock.now,
      faults: (api) => faults.api[api],
      dice,
      limiter: limiterOf,
      onCall(call) {
        apiCalls.push(call);
        if (call.fault) {
          add({
            time: call.time,
            kind: 'fault',
            api: call.api,
            operation: call.operation,
            fault: call.fault,
            status: call.status,
          });
        }
      },
    };

    const registry = new ImageRegistry(`${account}.dkr.ecr.${region}.amazonaws.com`);
    const lambda = new LambdaRuntime(
      clock,
      handlers,
      createPrng(scenario.seed, 'lambda'),
      {
        functionPrefix: FUNCTION_PREFIX,
        account,
        region,
        retryDelaysSeconds: scenario.settings.retryDelaysSeconds,
        timeoutMs: (doc.provider?.timeout ?? 60) * 1000,
        timeoutsMs: Object.fromEntries(
          Object.entries(doc.functions ?? {}).flatMap(([name, fn]) =>
            fn.timeout ? [[name, fn.timeout * 1000]] : [],
          ),
        ),
      },
      {
        begin: () => {
          const place = reserve();
          return (i) =>
            place({
              time: i.time,
              kind: 'invocation',
              function: i.function,
              attempt: i.attempt,
              trigger: i.trigger.label,
              duplicate: !!i.trigger.duplicate,
              outcome: i.outcome,
              reason: i.reason,
            });
        },
        failure: (f) => reportFailure(f),
      },
    );
    const sqs = new SqsStandIn(clock, createPrng(scenario.seed, 'sqs'), { account, region });
    const queues = new QueueDelivery(clock, sqs, lambda, FUNCTION_PREFIX, {
      deadLetter: (f) => {
        lambda.failures.push(f);
        reportFailure(f);
      },
    });
    const bus = new EventBus(
      routes,
      clock,
      lambda,
      faults.delivery,
      dice,
      createPrng(scenario.seed, 'delivery'),
      scenario.settings.deliveryDelaySeconds * 1000,
      (record: BusRecord) => {
        const e = record.event;
        const guard = guardDecision(e);
        const d = e.detail;
        const service = (d.ServiceName ??
          d.serviceName ??
          (d.service as { name?: unknown } | undefined)?.name) as string | undefined;
        const message = (d.Message ?? d.message) as string | undefined;
        add({
          time: record.time,
          kind: 'event',
          origin: record.origin,
          id: e.id,
          source: e.source,
          detailType: e['detail-type'],
          summary: summarizeEvent(e),
          ...(typeof service === 'string' ? { service } : {}),
          ...(typeof message === 'string' && !guard ? { message } : {}),
          ...(guard ? { guard } : {}),
          targets: record.targets,
        });
      },
      queues,
    );
    const hub: Where = { account, region };
    const makeSim = (where: Where) =>
      new AppRunnerSimulator(
        {
          clock,
          registry,
          prng,
          // A spoke's events reach the hub bus through its forwarding rules (infra/spoke); the
          // hub's own go on the bus directly.
          emit: (event) => {
            const isHub = where.account === account && where.region === region;
            if (isHub || forwarded(event)) bus.put(event as BusEvent, 'apprunner');
          },
          note: (text, service) => add({ time: iso(), kind: 'note', text, ...(service ? { service } : {}) }),
          // The service's alarms are in its own account and region.
          serving: (service) => cloudwatch.at(where).onServing(service),
        },
        {
          account: where.account,
          region: where.region,
          spelling: scenario.settings.eventSpelling,
          durations: { ...DEFAULT_DURATIONS, ...scenario.settings.durations },
          serviceQuota: scenario.settings.serviceQuota,
          rollbackSeconds: scenario.settings.appRunnerRollbackSeconds,
          failureEventTiming: scenario.settings.failureEventTiming,
          updateFailureRevertsConfig: scenario.settings.updateFailureRevertsConfig,
          tagEvents: scenario.settings.tagEvents,
        },
      );
    const sim = new SandboxFleets(hub, makeSim, identities);
    // The organisation of this run: steps may move its accounts (the scenario stays as loaded).
    const organization = structuredClone(scenario.organization);
    for (const t of spokeTargets(scenario))
      for (const r of t.regions) sim.at({ account: t.account, region: r });
    // Alarms live beside their services: a spoke's reach the hub bus through its forwarding rules.
    const cloudwatch = new CloudWatchTargets(
      hub,
      (where) =>
        new CloudWatchStandIn({
          clock,
          account: where.account,
          region: where.region,
          registry,
          serviceOfId: (id) => sim.all().find((s) => s.id === id && s.status !== 'DELETED'),
          emit: (event) => {
            const isHub = where.account === account && where.region === region;
            if (isHub || forwarded(event)) bus.put(event, 'cloudwatch');
          },
          nextId: () => prng.uuid(),
          note: (text) => add({ time: iso(), kind: 'note', text }),
        }),
      (req) => callerOf(req, identities, region),
    );
    const slackUrl = `${env.endpoints.slack}${SLACK_PATH}`;
    const world: ActiveWorld = {
      hooks,
      apprunner: sim,
      tagging: { dispatch: (op, req) => sim.tagging(op, req) },
      sts: new StsStandIn({
        spokes: spokeTargets(scenario).flatMap((t) =>
          t.regions.map((r) => ({ account: t.account, region: r, role: t.role })),
        ),
        roleNamePrefix: SANDBOX_STACK,
        externalId: SANDBOX_EXTERNAL_ID,
        identities,
        now: () => clock.now,
      }),
      organizations: new OrganizationsStandIn(organization, account),
      ecr: new EcrStandIn(
        () => registry,
        () => ({ account, region }),
      ),
      ssm: new SsmStandIn(
        new Map([
          [config.SLACK_WEBHOOK_PARAMETER!, { value: slackUrl, type: 'SecureString' as const }],
          [
            config.SLACK_SIGNING_SECRET_PARAMETER!,
            { value: SLACK_SIGNING_SECRET, type: 'SecureString' as const },
          ],
          [
            SLACK_APP_CONFIG.SLACK_BOT_TOKEN_PARAMETER,
            { value: SLACK_BOT_TOKEN, type: 'SecureString' as const },
          ],
          [SANDBOX_EXTERNAL_ID_PARAMETER, { value: SANDBOX_EXTERNAL_ID, type: 'SecureString' as const }],
        ]),
        { account, region },
        () => clock.now,
      ),
      sns: new SnsStandIn(
        new Set([config.ALERT_TOPIC_ARN!]),
        () => clock.now,
        () => prng.uuid(),
        (m) =>
          add({
            time: m.time,
            kind: 'sns',
            ...(m.subject === undefined ? {} : { subject: m.subject }),
            message: m.message,
            attributes: m.attributes,
          }),
      ),
      eventbridge: new EventBridgeStandIn(
        new Set(['default', config.EVENT_BUS_NAME!]),
        { account, region },
        () => clock.now,
        () => prng.uuid(),
        (event) => bus.put(event, 'guard'),
      ),
      scheduler: new SchedulerStandIn({
        clock,
        account,
        region,
        groups: new Set(['default', config.SCHEDULER_GROUP!, config.SCHEDULES_GROUP!]),
        nextId: () => prng.uuid(),
        invoke: (schedule, payload, scheduledTime) => {
          const fn = lambda.functionOfArn(schedule.targetArn) ?? schedule.targetArn;
          lambda.invokeAsync(fn, payload, {
            kind: 'schedule',
            ref: `${schedule.arn}#${scheduledTime}`,
            label: `schedule ${schedule.name} @ ${scheduledTime}`,
          });
        },
        observe: (s) =>
          add({
            time: s.time,
            kind: 'schedule',
            action: s.kind,
            name: s.name,
            expression: s.expression,
            timezone: s.timezone,
            ...(s.scheduledTime ? { scheduledTime: s.scheduledTime } : {}),
            ...(s.reason ? { reason: s.reason } : {}),
          }),
      }),
      sqs,
      cloudwatch,
      slack: new SlackReceiver(clock, faults.slack, dice, (m) =>
        'text' in m
          ? add({ time: m.time, kind: 'slack', text: m.text, summary: m.summary })
          : add({ time: m.time, kind: 'slack-refused', status: m.status, reason: `${m.reason}: ${m.body}` }),
      ),
      slackApi: new SlackApiStandIn({
        token: SLACK_BOT_TOKEN,
        channels: [SLACK_APP_CONFIG.SLACK_ONCALL_CHANNEL, SLACK_APP_CONFIG.SLACK_INFO_CHANNEL],
        userGroups: { S0ONCALL: ['U0ONCALL'] },
        now: () => clock.now,
        observe: (c) =>
          add({
            time: c.time ?? iso(),
            kind: 'slack-api',
            method: c.method,
            ...(c.channel ? { channel: c.channel } : {}),
            ...(c.ts ? { ts: c.ts } : {}),
            ...(c.threadTs ? { threadTs: c.threadTs } : {}),
            result: c.result,
            text: c.text ?? '',
          }),
      }),
    };
    // Slack Web API faults per method, from their time on.
    for (const [method, fault] of Object.entries(scenario.faults.slackApi ?? {})) {
      if (!fault) continue;
      const apply = () =>
        world.slackApi.fail(method, {
          error: fault.error,
          ...(fault.times ? { times: fault.times } : {}),
          ...(fault.retryAfterSeconds ? { retryAfterSeconds: fault.retryAfterSeconds } : {}),
        });
      if (fault.at) clock.schedule(toEpoch(fault.at, start), `slack fault ${method}`, async () => apply());
      else apply();
    }
    const slackActions: SlackActionRecord[] = [];
    env.activate(world);

    // The world as the scenario starts: images, fleet, the stack's schedules.
    for (const img of scenario.images) registry.push(img.image, { ...img, at: start });
    for (const alarm of scenario.alarms) cloudwatch.seed(alarm.name, alarm.state, start);
    for (const { account: a, region: r, ...spec } of scenario.fleet) {
      sim
        .at({ account: a ?? account, region: r ?? region })
        .seed({ ...spec, ...(spec.image ? { image: registry.expand(spec.image) } : {}) });
    }
    if (scenario.settings.deployedSchedules) {
      for (const d of deployedSchedules(doc, scenario)) {
        world.scheduler.create(
          d.name,
          {
            // As infra/schedules.cjs deploys them: pause/resume schedules in their own group.
            GroupName: d.fn === 'pause-resume' ? config.SCHEDULES_GROUP! : 'default',
            ScheduleExpression: d.expression,
            ScheduleExpressionTimezone: d.timezone,
            FlexibleTimeWindow: { Mode: 'OFF' },
            Target: {
              Arn: `arn:aws:lambda:${region}:${account}:function:${FUNCTION_PREFIX}${d.fn}`,
              RoleArn: config.SCHEDULER_ROLE_ARN,
              Input: JSON.stringify(d.input),
            },
          },
          'deployed',
        );
      }
    }

    let previous = start;
    scenario.steps.forEach((step, index) => {
      const at = step.at ? toEpoch(step.at, start) : previous;
      previous = at;
      clock.schedule(at, `step ${index + 1}`, async () => {
        let text = describeStep(step, registry);
        const place = reserve();
        try {
          const extra = await runStep(step, {
            sim,
            registry,
            bus,
            lambda,
            clock,
            cloudwatch,
            slack: { signingSecret: SLACK_SIGNING_SECRET, actions: slackActions },
            organization,
          });
          if (extra) text += ` — ${extra}`;
          place({ time: iso(), kind: 'step', text: step.note ? `${text}  (${step.note})` : text, ok: true });
        } catch (error) {
          const message =
            error instanceof ApiError
              ? `${error.code}: ${error.message}`
              : error instanceof Error
                ? error.message
                : String(error);
          place({ time: iso(), kind: 'step', text, ok: false, error: message });
        }
      });
    });

    try {
      await clock.runUntil(end);
    } finally {
      env.activate(undefined);
    }

    const fleet: FleetEntry[] = sim.all().map((s) => fleetEntry(s, registry));
    const partial = {
      scenario: {
        name: scenario.name,
        ...(scenario.description ? { description: clean(scenario.description) } : {}),
        ...(scenario.file ? { file: scenario.file } : {}),
        seed: scenario.seed,
      },
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      elapsedMs: 0,
      timeline,
      events: bus.records,
      appRunnerEvents: bus.records.filter((r) => r.origin === 'apprunner').map((r) => r.event),
      guardEvents: bus.records.filter((r) => r.origin === 'guard').map((r) => r.event),
      invocations: lambda.invocations,
      failedInvocations: lambda.failures,
      snsMessages: world.sns.messages,
      slackMode: scenario.settings.slack,
      slackMessages: world.slack.messages,
      slackRejections: world.slack.rejections,
      slackCalls: world.slackApi.calls,
      slackActions: slackActions.map((a) => withJobOutcome(a, bus.records)),
      schedules: { log: world.scheduler.log, remaining: world.scheduler.list() },
      alarms: world.cloudwatch.list(),
      apiCalls,
      images: registry.list(),
      fleet,
      hub,
      pending: clock.pending().map((p) => ({ at: new Date(p.at).toISOString(), label: p.label })),
    };
    const expectations = evaluateExpectations(scenario.expect, partial, (image) => registry.expand(image));
    return { ...partial, elapsedMs: Math.round(performance.now() - realStart), expectations };
  } finally {
    simulateWaits(undefined);
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * An action request with what came of it: the slack-actions job's audit event for its click
 * (`Slack Action Taken` / `Failed`: the job's outcome), or the endpoint's refusal event.
 */
function withJobOutcome(a: SlackActionRecord, records: readonly BusRecord[]): SlackActionRecord {
  if (a.status >= 400) return a;
  const audit = records.find((r) => {
    const d = r.event.detail as { job?: unknown; details?: { actionTs?: unknown } };
    return r.origin === 'guard' && d.job === 'slack-actions' && d.details?.actionTs === a.actionTs;
  });
  if (!audit) return a;
  const d = audit.event.detail as { outcome?: unknown; reason?: unknown };
  const refused = audit.event['detail-type'] === 'Slack Action Refused';
  return { ...a, outcome: refused ? 'refused' : String(d.outcome), reason: String(d.reason ?? a.reason) };
}

function fleetEntry(s: SimService & Where, registry: ImageRegistry): FleetEntry {
  const configured =
    s.source.kind === 'image' ? s.source.imageIdentifier : `${s.source.repositoryUrl}#${s.source.branch}`;
  return {
    name: s.name,
    account: s.account,
    region: s.region,
    arn: s.arn,
    status: s.deletedAt !== undefined ? 'DELETED' : s.status,
    source: s.source.kind,
    configured,
    configuredLabel: imageLabel(configured, registry),
    ...(s.running ? { running: s.running, runningLabel: registry.nameOf(s.running) } : {}),
    tags: Object.fromEntries(s.tags),
    operations: s.operations.map((o) => ({
      id: o.id,
      type: o.type,
      status: o.status,
      startedAt: new Date(o.startedAt).toISOString(),
      ...(o.endedAt === undefined ? {} : { endedAt: new Date(o.endedAt).toISOString() }),
    })),
  };
}
