import { Logger } from '@aws-lambda-powertools/logger';
import {
  AppRunnerClient,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-apprunner';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuardEventPublisher } from '../../lib/aws/guard-events.ts';
import { createIdempotencyStore } from '../../lib/aws/idempotency.ts';
import { createPauseMarkerStore } from '../../lib/aws/pause-markers.ts';
import { createGuardWakeUps } from '../../lib/aws/scheduler.ts';
import { createTargetPorts } from '../../lib/aws/targets.ts';
import { loadConfig } from '../../lib/config.ts';
import { createHandler } from '../../lib/pause-resume/job.ts';
import { type PauseResumeSettings, settingsFromConfig } from '../../lib/pause-resume/run-schedule.ts';
import { TAGS } from '../../lib/tags.ts';
import { inMemoryAppRunner } from '../support/app-runner.ts';
import { useDynamoDB } from '../support/dynamodb.ts';
import { ACCOUNT_ID, guardEnv, lambdaContext, REGION } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';

const appRunner = mockClient(AppRunnerClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const model = inMemoryAppRunner();
const scheduler = mockClient(SchedulerClient);
const events = mockClient(EventBridgeClient);
const TABLE = 'pause-resume-idempotency';

let invoke: (event: unknown) => Promise<Record<string, unknown>>;

const LEDGER = 'pause-resume-ledger';
const db = useDynamoDB({ tables: { idempotency: TABLE, ledger: LEDGER } });
const config = loadConfig(guardEnv({ IDEMPOTENCY_TABLE: TABLE, LEDGER_TABLE: LEDGER }));

/** The handler as functions/pause-resume.ts builds it, with its dependencies injected. */
function handlerWith(settings: PauseResumeSettings) {
  const targets = createTargetPorts(config);
  const handler = createHandler({
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    idempotency: createIdempotencyStore(db.client, TABLE),
    onReject: async () => {},
    ports: {
      appRunner: targets.appRunner,
      targets: targets.targets,
      markers: createPauseMarkerStore(db.client, LEDGER),
      // The fixtures' times are in the past: wake-ups are clamped against the trigger's time.
      wakeUps: createGuardWakeUps({ scheduler: { ...config.scheduler, clock: 'trigger' } }),
      publisher: createGuardEventPublisher(new EventBridgeClient({ region: REGION }), config.eventBusName),
    },
    settings,
  });
  return (event: unknown) =>
    handler(event, lambdaContext() as unknown as Context) as Promise<Record<string, unknown>>;
}

beforeAll(async () => {
  invoke = handlerWith(settingsFromConfig(config));
});

const arn = (name: string, id: string) =>
  `arn:aws:apprunner:${REGION}:${ACCOUNT_ID}:service/${name}/${id.repeat(32).slice(0, 32)}`;
const WEB = arn('checkout-web', 'a');
const API = arn('orders-api', 'b');
const HAND = arn('hand-paused', 'c');
const PROD = arn('prod-api', 'd');
const BUSY = arn('deploying', 'e');

/** The fleet App Runner lists, in this order (replacing any earlier one). */
function fleet(services: Array<{ arn: string; status: string; tags: Record<string, string> }>) {
  model.services.length = 0;
  for (const s of services) {
    model.add({ ...s, name: s.arn.split('/')[1]!, id: s.arn.split('/')[2]! });
  }
  // Tags in bulk (Resource Groups Tagging API): only services that carry the schedule tag.
  tagging.on(GetResourcesCommand).resolves({
    ResourceTagMappingList: services
      .filter((s) => TAGS.schedule in s.tags)
      .map((s) => ({
        ResourceARN: s.arn,
        Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
  });
}
/** The guard's pause marker of a service in the ledger (dynalite). */
async function markerOf(serviceArn: string) {
  const { createPauseMarkerStore: store } = await import('../../lib/aws/pause-markers.ts');
  return store(db.client, LEDGER).get(serviceArn);
}
const onNightly = (extra: Record<string, string> = {}) => ({
  [TAGS.schedule]: 'office-hours-berlin',
  ...extra,
});
let counter = 0;
/** A fixture with a unique scheduled time (a fresh idempotency key per test). */
function fire(name: 'pause' | 'resume', minute = counter++) {
  const p = loadFixture<Record<string, string>>(`scheduler/${name}`);
  p.scheduledTime = p.scheduledTime!.replace(/:00:00Z$/, `:${String(minute % 60).padStart(2, '0')}:00Z`);
  return p;
}
const published = () =>
  events
    .commandCalls(PutEventsCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => ({
      detailType: e.DetailType,
      detail: JSON.parse(e.Detail ?? '{}'),
    }));

beforeEach(() => {
  model.reset();
  model.installOn(appRunner);
  tagging.reset();
  scheduler.reset();
  events.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});

describe('pause-resume handler', () => {
  it('at the evening fire: marks (ledger) then pauses opted-in running services, one App Runner call each beyond the list; never touches untagged ones', async () => {
    fleet([
      { arn: WEB, status: 'RUNNING', tags: onNightly() },
      { arn: HAND, status: 'PAUSED', tags: onNightly() },
      { arn: PROD, status: 'RUNNING', tags: {} },
    ]);
    const event = fire('pause', 0);
    const result = await invoke(event);
    expect(result).toMatchObject({ outcome: 'acted', counts: { paused: 1, unchanged: 1 } });

    // The list's pages (the model pages two services at a time), then one call per paused service.
    expect(
      appRunner
        .calls()
        .map((c) => c.args[0].constructor.name)
        .filter((name) => name !== 'ListServicesCommand'),
    ).toEqual(['PauseServiceCommand']);
    expect(appRunner.commandCalls(ListServicesCommand)).toHaveLength(2);
    expect(appRunner.commandCalls(PauseServiceCommand)[0]!.args[0].input).toEqual({ ServiceArn: WEB });
    expect(tagging.commandCalls(GetResourcesCommand)[0]!.args[0].input).toMatchObject({
      ResourceTypeFilters: ['apprunner:service'],
      TagFilters: [{ Key: TAGS.schedule }],
    });
    expect(await markerOf(WEB)).toBe(
      `schedule/office-hours-berlin@${new Date(event.scheduledTime!).toISOString()}`,
    );

    const sent = published();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      detailType: 'Schedule Run Completed',
      detail: { outcome: 'acted', details: { counts: { paused: 1 } } },
    });
  });

  it('at the morning fire: resumes only what the guard paused, then removes the marker', async () => {
    fleet([
      {
        arn: WEB,
        status: 'PAUSED',
        tags: onNightly({ [TAGS.pausedBy]: 'schedule/office-hours-berlin@2026-11-20T19:00:00.000Z' }),
      },
      { arn: HAND, status: 'PAUSED', tags: onNightly() },
    ]);
    const result = await invoke(fire('resume', 0));
    expect(result).toMatchObject({ outcome: 'acted', counts: { resumed: 1, skipped: 1 } });
    expect(appRunner.commandCalls(ResumeServiceCommand).map((c) => c.args[0].input.ServiceArn)).toEqual([
      WEB,
    ]);
    expect(appRunner.commandCalls(UntagResourceCommand)[0]!.args[0].input).toEqual({
      ResourceArn: WEB,
      TagKeys: [TAGS.pausedBy],
    });
    const summary = published()[0]!.detail;
    expect(summary.details.services).toContainEqual(
      expect.objectContaining({
        name: 'hand-paused',
        outcome: 'skipped',
        reason: expect.stringContaining('resumes only what it paused'),
      }),
    );
  });

  it('schedules a follow-up through EventBridge Scheduler for a service caught mid-deployment', async () => {
    fleet([
      { arn: BUSY, status: 'OPERATION_IN_PROGRESS', tags: onNightly() },
      { arn: API, status: 'RUNNING', tags: onNightly() },
    ]);
    const event = fire('pause', 1);
    const result = await invoke(event);
    expect(result).toMatchObject({ outcome: 'acted', counts: { paused: 1, deferred: 1 } });
    const create = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    const retryAt = new Date(new Date(event.scheduledTime!).getTime() + 10 * 60_000);
    expect(create).toMatchObject({
      GroupName: 'apprunner-guard-test',
      ScheduleExpression: `at(${retryAt.toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: guardEnv().PAUSE_RESUME_FUNCTION_ARN, RoleArn: guardEnv().SCHEDULER_ROLE_ARN },
    });
    const input = JSON.parse(create.Target!.Input!);
    expect(input).toMatchObject({
      action: 'converge',
      attempt: 1,
      services: [BUSY],
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    // Scheduler fills in the time it was due.
    input.scheduledTime = `${retryAt.toISOString().slice(0, 19)}Z`;
    // The follow-up payload is itself a valid pause-resume payload.
    fleet([{ arn: BUSY, status: 'RUNNING', tags: onNightly() }]);
    model.faults.fail = (call) =>
      call === 'list-services' ? new Error('a follow-up must not list the fleet') : undefined;
    const second = await invoke(input);
    expect(second).toMatchObject({ outcome: 'acted', counts: { paused: 1 } });
  });

  it('acts once when Scheduler delivers the same fire twice (idempotency on DynamoDB)', async () => {
    fleet([{ arn: WEB, status: 'RUNNING', tags: onNightly() }]);
    const event = fire('pause', 2);
    const first = await invoke(event);
    const second = await invoke(structuredClone(event));
    expect(second).toEqual(first);
    expect(appRunner.commandCalls(PauseServiceCommand)).toHaveLength(1);
    expect(published()).toHaveLength(1);
  });

  it('rejects a payload without its schedule definition, naming the field', async () => {
    const event = fire('pause', 3) as Record<string, unknown>;
    delete event.definition;
    expect(await invoke(event)).toEqual({
      outcome: 'rejected',
      field: 'definition',
      reason: 'definition: is required',
    });
    expect(appRunner.calls()).toHaveLength(0);
  });

  it('reports a failed pause as one Schedule Action Failed and keeps going', async () => {
    fleet([
      { arn: WEB, status: 'RUNNING', tags: onNightly() },
      { arn: API, status: 'RUNNING', tags: onNightly() },
    ]);
    model.faults.fail = (call, arn) =>
      call === 'pause' && arn === WEB
        ? Object.assign(new Error('not allowed'), {
            name: 'AccessDeniedException',
            $metadata: { httpStatusCode: 403 },
          })
        : undefined;
    const result = await invoke(fire('pause', 4));
    expect(result).toMatchObject({ outcome: 'failed', counts: { paused: 1, failed: 1 } });
    const sent = published();
    expect(sent.map((e) => e.detailType)).toEqual(['Schedule Run Completed', 'Schedule Action Failed']);
    expect(sent[1]!.detail).toMatchObject({
      service: { arn: WEB, name: 'checkout-web' },
      reason: expect.stringContaining('AccessDeniedException'),
    });
    // The marker written before the failed pause was taken back.
    expect(await markerOf(WEB)).toBeUndefined();
    expect(await markerOf(API)).toBeDefined();
  });
});

describe('pause-resume handler in dry-run (DRY_RUN_PAUSE_RESUME=true)', () => {
  it('plans and reports the run with dryRun: true, but tags, pauses and schedules nothing', async () => {
    const dryConfig = loadConfig(guardEnv({ IDEMPOTENCY_TABLE: TABLE, DRY_RUN_PAUSE_RESUME: 'true' }));
    const dryInvoke = handlerWith(settingsFromConfig(dryConfig));
    fleet([
      { arn: WEB, status: 'RUNNING', tags: onNightly() },
      { arn: BUSY, status: 'OPERATION_IN_PROGRESS', tags: onNightly() },
    ]);
    const result = await dryInvoke(fire('pause', 59));
    expect(result).toMatchObject({ outcome: 'acted' });

    const mutating = appRunner
      .calls()
      .map((c) => c.args[0])
      .filter((c) => !(c instanceof ListServicesCommand) && !(c instanceof ListTagsForResourceCommand));
    expect(mutating).toEqual([]);
    expect(await markerOf(WEB)).toBeUndefined();
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    const sent = published();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ detailType: 'Schedule Run Completed', detail: { dryRun: true } });
    expect(JSON.stringify(sent[0]!.detail)).toContain('checkout-web');
  });
});
