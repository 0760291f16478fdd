// Per-event overhead of the handler stack (withGuard: Powertools Logger context, parsing,
// Powertools idempotency, error classification, middy): warm handler time on a function's main
// fixture against the same use case called directly with the already-parsed input and the same
// ports. Runs one function per process (`tsx bench/overhead.ts <function> <out.json>`): each
// installs its own aws-sdk-client-mock fakes, and its handler logs (Powertools at INFO, as in
// production) go to this process's stdout, which the orchestrator discards.
//
// AWS is faked with aws-sdk-client-mock. The jobs' own tables (ledger, snapshots, notify ledger)
// are real DynamoDB on dynalite, identical in both arms. The idempotency store's calls are mocked:
// the budget is the stack's own cost, and on dynalite every event would pay two local HTTP round
// trips that are neither production latency nor the stack's work. Those two calls (a conditional
// PutItem before, an UpdateItem after) are counted and reported as what idempotency adds in I/O.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  AppRunnerClient,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PauseServiceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-apprunner';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createGuardTables, startDynamoDB } from '../sandbox/dynamodb.ts';
import { eventFor, fakeService, GOOD, installFakes, REPO } from '../test/lib/rollback/fakes.ts';
import { guardEnv, lambdaContext } from '../test/support/env.ts';
import { loadFixture } from '../test/support/fixtures.ts';
import { summarize } from './stats.ts';

type Handler = (event: unknown, context: Context) => Promise<{ outcome: string }>;
/** One measured use case: `next()` prepares a fresh event (outside the timer) and both ways to run it. */
interface Case {
  next(i: number): Promise<{ event: unknown; direct(): Promise<{ outcome: string }> }>;
}

const [job, outFile] = process.argv.slice(2) as [string, string];
const WARMUP = 50;
const ITERATIONS = Number(process.env.BENCH_OVERHEAD_ITERATIONS ?? 300);
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

const db = await startDynamoDB();
const env = guardEnv({ AWS_REGION: REGION });
// Tables first: the mock below also catches the low-level client that creates them.
await createGuardTables(db.client, { idempotency: env.IDEMPOTENCY_TABLE!, ledger: env.LEDGER_TABLE! });
Object.assign(process.env, env, {
  AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'INFO',
});
const idempotency = mockClient(DynamoDBClient);
idempotency.on(PutItemCommand).resolves({});
idempotency.on(UpdateItemCommand).resolves({});
idempotency.on(GetItemCommand).resolves({});
idempotency.on(DeleteItemCommand).resolves({});

const { loadConfig } = await import('../lib/config.ts');
const { createDynamoDBClient } = await import('../lib/aws/idempotency.ts');
const { createAppRunnerClient, createAppRunnerGateway } = await import('../lib/aws/app-runner.ts');
const { createEventBridgeClient, createGuardEventPublisher } = await import('../lib/aws/guard-events.ts');
const { parseAppRunnerEvent } = await import('../lib/events/app-runner.ts');
const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const publisher = createGuardEventPublisher(createEventBridgeClient(), config.eventBusName);
const appRunner = () => createAppRunnerGateway(createAppRunnerClient());
const parse = (raw: unknown) => parseAppRunnerEvent(raw, { accountId: config.accountId });
const ctx = { logger, remainingMs: () => 60_000 };
const operation = (raw: unknown) => {
  const e = parse(raw);
  if (e.kind !== 'operation') throw new Error('not an operation event');
  return e;
};
/** Spaced an hour apart: no storm window or rollback loop window joins two iterations. */
const hour = (i: number) => new Date(Date.UTC(2026, 10, 20, 12) + i * 3_600_000).toISOString();

/** The record-release and rollback ports (App Runner, ECR, the ledger, the publisher) and their fakes. */
async function ledgerPorts() {
  const fakes = installFakes();
  const { createRecordReleasePorts } = await import('../lib/aws/release-ports.ts');
  const ports = createRecordReleasePorts(config, dynamo, publisher);
  return { ports, fakes };
}

const CASES: Record<string, () => Promise<{ handler: Handler; c: Case }>> = {
  // A successful deployment of `repo:latest`: describe, list operations, resolve the tag in ECR,
  // write the ledger, publish Release Recorded.
  'record-release': async () => {
    const { ports, fakes } = await ledgerPorts();
    const { recordRelease } = await import('../lib/release/record-release.ts');
    fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
    const { handler } = await import('../functions/record-release.ts');
    return {
      handler: handler as unknown as Handler,
      c: {
        async next(i) {
          const svc = fakes.add(fakeService());
          const event = eventFor('apprunner-operation/deployment-completed-successfully', svc, {
            time: hour(i),
          });
          return {
            event,
            direct: () =>
              recordRelease(operation(event), ports, { ...config.ledger, bake: config.bake }, ctx),
          };
        },
      },
    };
  },
  // A failed deployment of a tag that moved to a bad digest: the ledger knows the good one
  // (recorded, outside the timer, by the real record-release), the rollback pins it.
  rollback: async () => {
    const { ports, fakes } = await ledgerPorts();
    const { handleFailureEvent } = await import('../lib/rollback/rollback.ts');
    const { recordRelease } = await import('../lib/release/record-release.ts');
    const { handler } = await import('../functions/rollback.ts');
    const settings = config.rollback;
    return {
      handler: handler as unknown as Handler,
      c: {
        async next(i) {
          const svc = fakes.add(fakeService());
          fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
          svc.operations = [
            { Id: 'op-good', Type: 'START_DEPLOYMENT', Status: 'SUCCEEDED', StartedAt: new Date(hour(i)) },
          ];
          const ok = eventFor('apprunner-operation/deployment-completed-successfully', svc, {
            time: hour(i),
          });
          await recordRelease(operation(ok), ports, { ...config.ledger, bake: config.bake }, ctx);
          fakes.state.tags.set(`${REPO}:latest`, { digest: `sha256:${'b'.repeat(64)}` });
          svc.operations.unshift({
            Id: 'op-bad',
            Type: 'START_DEPLOYMENT',
            Status: 'ROLLBACK_SUCCEEDED',
            StartedAt: new Date(Date.parse(hour(i)) + 600_000),
          });
          const failed = eventFor('apprunner-operation/deployment-failed', svc, {
            time: new Date(Date.parse(hour(i)) + 900_000).toISOString(),
          });
          return { event: failed, direct: () => handleFailureEvent(operation(failed), ports, settings) };
        },
      },
    };
  },
  // A guard outcome (Rollback Completed; the App Runner failure itself is owned by the rollback,
  // whose outcome carries it): one SNS message, one Slack message (a local webhook answering
  // `ok`), the notify ledger's exactly-once records.
  notify: async () => {
    const slack = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    });
    await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T0/B0/bench`;
    mockClient(SNSClient).on(PublishCommand).resolves({ MessageId: 'm' });
    mockClient(SSMClient)
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: 'x', Type: 'SecureString', Value: url } });
    const { notify } = await import('../lib/notify/notify.ts');
    const { parseGuardEvent } = await import('../lib/events/guard.ts');
    const { createSsmClient, createWebhookUrlSource } = await import('../lib/aws/secrets.ts');
    const { createSlackWebhook } = await import('../lib/aws/slack.ts');
    const { createSnsClient, createSnsPublisher } = await import('../lib/aws/sns.ts');
    const { createNotifyLedger } = await import('../lib/aws/notify-ledger.ts');
    const { createGuardWakeUps } = await import('../lib/aws/scheduler.ts');
    const deps = {
      sns: createSnsPublisher(createSnsClient(), config.alertTopicArn),
      slack: createSlackWebhook({
        url: createWebhookUrlSource(createSsmClient(), config.slackWebhookParameter),
      }),
      ledger: createNotifyLedger(dynamo, config.ledgerTable),
      // One alert an hour never storms: the storm wake-up is never created here.
      wakeUps: createGuardWakeUps(config),
    };
    const { handler } = await import('../functions/notify.ts');
    return {
      handler: handler as unknown as Handler,
      c: {
        async next(i) {
          const event = loadFixture<Record<string, unknown>>('guard/rollback-completed');
          event.id = crypto.randomUUID();
          event.time = hour(i);
          return {
            event,
            direct: () => notify(parseGuardEvent(event, { accountId: config.accountId }), deps, ctx),
          };
        },
      },
    };
  },
  // CreateServiceFailed: snapshot the service, schedule its deletion after the grace period,
  // publish Deletion Scheduled.
  cleanup: async () => {
    const arns = new Map<string, { name: string; id: string }>();
    const ar = mockClient(AppRunnerClient);
    ar.on(DescribeServiceCommand).callsFake(({ ServiceArn }: { ServiceArn: string }) => {
      const s = arns.get(ServiceArn)!;
      return {
        Service: {
          ServiceArn,
          ServiceName: s.name,
          ServiceId: s.id,
          Status: 'CREATE_FAILED',
          CreatedAt: new Date('2026-11-20T11:00:00Z'),
          UpdatedAt: new Date('2026-11-20T11:05:00Z'),
          SourceConfiguration: {
            ImageRepository: { ImageIdentifier: `${REPO}:latest`, ImageRepositoryType: 'ECR' },
          },
        },
      };
    });
    ar.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'team', Value: 'payments' }] });
    ar.on(ListOperationsCommand).resolves({
      OperationSummaryList: [{ Id: 'op-create', Type: 'CREATE_SERVICE', Status: 'FAILED' }],
    });
    const sch = mockClient(SchedulerClient);
    sch.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
    sch
      .on(GetScheduleCommand)
      .rejects(Object.assign(new Error('none'), { name: 'ResourceNotFoundException' }));
    mockClient(EventBridgeClient)
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const { runCleanup } = await import('../lib/cleanup/run-cleanup.ts');
    const { createCleanupDeps } = await import('../lib/aws/cleanup-ports.ts');
    const deps = createCleanupDeps(config, dynamo, publisher);
    const { handler } = await import('../functions/cleanup.ts');
    return {
      handler: handler as unknown as Handler,
      c: {
        async next(i) {
          const svc = fakeService();
          arns.set(svc.arn, svc);
          const event = eventFor('apprunner-operation/create-service-failed', svc, { time: hour(i) });
          return { event, direct: () => runCleanup(parse(event), deps, ctx) };
        },
      },
    };
  },
  // The evening fire of a schedule over three opted-in running services: tag and pause each,
  // publish the run summary.
  'pause-resume': async () => {
    const names = ['checkout-web', 'orders-api', 'search-api'];
    const ar = mockClient(AppRunnerClient);
    ar.on(ListServicesCommand).resolves({
      ServiceSummaryList: names.map((name, k) => ({
        ServiceArn: `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/${name}/${String(k).repeat(32)}`,
        ServiceName: name,
        ServiceId: String(k).repeat(32),
        Status: 'RUNNING',
      })),
    });
    ar.on(ListTagsForResourceCommand).resolves({
      Tags: [{ Key: 'apprunner-guard:schedule', Value: 'office-hours-berlin' }],
    });
    ar.on(TagResourceCommand).resolves({});
    ar.on(PauseServiceCommand).resolves({ OperationId: 'op-pause' });
    mockClient(SchedulerClient)
      .on(CreateScheduleCommand)
      .resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
    mockClient(EventBridgeClient)
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const { runSchedule, settingsFromConfig } = await import('../lib/pause-resume/run-schedule.ts');
    const { createGuardScheduler, createGuardWakeUps } = await import('../lib/aws/scheduler.ts');
    const { parseSchedulerPayload, pauseResumePayloadSchema } = await import('../lib/events/scheduler.ts');
    const ports = {
      appRunner: appRunner(),
      scheduler: createGuardScheduler(config),
      wakeUps: createGuardWakeUps(config),
      publisher,
    };
    const settings = settingsFromConfig(config);
    const { handler } = await import('../functions/pause-resume.ts');
    return {
      handler: handler as unknown as Handler,
      c: {
        async next(i) {
          const event = loadFixture<Record<string, string>>('scheduler/pause');
          // A fresh idempotency key per iteration, still inside Friday's 20:00 Berlin pause hour.
          const t = new Date(Date.parse(event.scheduledTime!) + i * 1000).toISOString();
          event.scheduledTime = t.replace('.000Z', 'Z');
          const payload = parseSchedulerPayload(pauseResumePayloadSchema, event);
          return { event, direct: () => runSchedule(payload, ports, settings, ctx) };
        },
      },
    };
  },
};

const setup = CASES[job];
if (!setup) throw new Error(`unknown function ${job}`);
const { handler, c } = await setup();
const handlerMs: number[] = [];
const directMs: number[] = [];
const outcomes = new Set<string>();
let idempotencyCalls = 0;
for (let i = 0; i < WARMUP + ITERATIONS; i++) {
  // Alternate which arm goes first so drift and GC hit both alike.
  const arms = i % 2 === 0 ? (['handler', 'direct'] as const) : (['direct', 'handler'] as const);
  for (const arm of arms) {
    const { event, direct } = await c.next(i * 2 + (arm === 'handler' ? 0 : 1));
    const before = idempotency.calls().length;
    const start = performance.now();
    const result = arm === 'handler' ? await handler(event, lambdaContext()) : await direct();
    const took = performance.now() - start;
    if (i < WARMUP) continue;
    (arm === 'handler' ? handlerMs : directMs).push(took);
    outcomes.add(`${arm}:${result.outcome}`);
    if (arm === 'handler') idempotencyCalls += idempotency.calls().length - before;
  }
}
const handlerSummary = summarize(handlerMs);
const directSummary = summarize(directMs);
writeFileSync(
  outFile,
  JSON.stringify({
    name: job,
    iterations: ITERATIONS,
    handler: handlerSummary,
    direct: directSummary,
    addedMs: handlerSummary.median - directSummary.median,
    idempotencyCallsPerEvent: idempotencyCalls / ITERATIONS,
    outcomes: [...outcomes].sort(),
  }),
);
await db.close();
process.exit(0);
