import {
  AppRunnerClient,
  DeleteServiceCommand,
  DescribeServiceCommand,
  InvalidStateException,
  ListServicesCommand,
  type OperationSummary,
  ResourceNotFoundException,
} from '@aws-sdk/client-apprunner';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException as ScheduleNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSnapshotStore, type SnapshotStore } from '../../lib/aws/snapshots.ts';
import type { HandlerResult } from '../../lib/core/handler-stack.ts';
import { toCamelCaseEvent } from '../../lib/events/app-runner.ts';
import type { GuardEventDetail } from '../../lib/events/guard.ts';
import { type InMemoryService, inMemoryAppRunner } from '../support/app-runner.ts';
import { useDynamoDB } from '../support/dynamodb.ts';
import { ACCOUNT_ID, lambdaContext, REGION } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';
import { cleanupHandler } from '../support/handlers.ts';
import { sdkError } from '../support/sdk-errors.ts';

// ---- the shared App Runner model, and a small stateful Scheduler and EventBridge, behind aws-sdk-client-mock ----

type FakeService = InMemoryService & {
  arn: string;
  id: string;
  operations: NonNullable<InMemoryService['operations']>;
  updatedAt: Date;
};

const appRunner = mockClient(AppRunnerClient);
const scheduler = mockClient(SchedulerClient);
const eventBridge = mockClient(EventBridgeClient);
const model = inMemoryAppRunner();

let schedules: Map<string, CreateScheduleCommandInput>;
let published: Array<{ detailType: string; detail: GuardEventDetail }>;
let deleted: string[];
let deleteFails: ((arn: string) => Error | undefined) | undefined;
let tagsFail: ((arn: string) => Error | undefined) | undefined;

const notFound = () => new ResourceNotFoundException({ message: 'Service not found', $metadata: {} });

function installFakes() {
  model.reset();
  model.installOn(appRunner);
  scheduler.reset();
  eventBridge.reset();
  schedules = new Map();
  published = [];
  deleted = model.deleted;
  deleteFails = undefined;
  tagsFail = undefined;
  model.faults.fail = (call, arn) =>
    call === 'delete' ? deleteFails?.(arn!) : call === 'list-tags' ? tagsFail?.(arn!) : undefined;
  scheduler.on(CreateScheduleCommand).callsFake((input) => {
    if (schedules.has(input.Name!))
      throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    schedules.set(input.Name!, input);
    return {
      ScheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT_ID}:schedule/${input.GroupName}/${input.Name}`,
    };
  });
  scheduler.on(GetScheduleCommand).callsFake((input) => {
    const s = schedules.get(input.Name!);
    if (!s)
      throw new ScheduleNotFoundException({ message: 'no schedule', Message: 'no schedule', $metadata: {} });
    return { Name: s.Name, ScheduleExpression: s.ScheduleExpression, Target: s.Target, State: 'ENABLED' };
  });
  scheduler.on(DeleteScheduleCommand).callsFake((input) => {
    schedules.delete(input.Name!);
    return {};
  });
  eventBridge.on(PutEventsCommand).callsFake((input) => {
    for (const e of input.Entries ?? []) {
      published.push({ detailType: e.DetailType!, detail: JSON.parse(e.Detail!) });
    }
    return {
      FailedEntryCount: 0,
      Entries: (input.Entries ?? []).map(() => ({ EventId: crypto.randomUUID() })),
    };
  });
}

const hex32 = () => crypto.randomUUID().replaceAll('-', '');

function addService(
  status: string,
  options: {
    name?: string;
    tags?: Record<string, string>;
    operations?: OperationSummary[];
    updatedAt?: string;
  } = {},
): FakeService {
  const name = options.name ?? `svc-${hex32().slice(0, 8)}`;
  const id = hex32();
  const s: FakeService = {
    arn: `arn:aws:apprunner:${REGION}:${ACCOUNT_ID}:service/${name}/${id}`,
    name,
    id,
    status,
    image: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${name}:latest`,
    tags: options.tags ?? {},
    operations: options.operations ?? [
      {
        Id: 'op-create',
        Type: 'CREATE_SERVICE',
        Status: 'FAILED',
        StartedAt: new Date('2026-11-20T14:00:00Z'),
        EndedAt: new Date('2026-11-20T14:03:10Z'),
      },
    ],
    createdAt: new Date('2026-11-20T14:00:00Z'),
    updatedAt: new Date(options.updatedAt ?? '2026-11-20T14:05:00Z'),
  };
  return model.add(s);
}

/** A fixture retargeted at a fake service, with a fresh event id and the given time. */
function eventFor(fixture: string, s: FakeService, time = '2026-11-20T14:05:00Z') {
  const e = loadFixture<{ id: string; time: string; resources: string[]; detail: Record<string, unknown> }>(
    fixture,
  );
  e.id = crypto.randomUUID();
  e.time = time;
  e.resources = [s.arn];
  for (const key of ['ServiceName', 'serviceName']) if (key in e.detail) e.detail[key] = s.name;
  for (const key of ['ServiceId', 'serviceId']) if (key in e.detail) e.detail[key] = s.id;
  return e;
}

const fire = (s: FakeService, scheduledTime: string, attempt = 0, snapshotKey?: string) => ({
  action: 'delete-failed-service',
  serviceArn: s.arn,
  scheduledTime,
  attempt,
  ...(snapshotKey ? { snapshotKey } : {}),
});

/** A fresh day per sweep test: sweeps are idempotent per scheduled time, quota warnings per day. */
let sweepDay = 0;
const nextDay = () => new Date(Date.UTC(2026, 11, 1 + sweepDay++)).toISOString().slice(0, 10);

const sweepAt = (scheduledTime: string) => ({
  action: 'sweep',
  scheduledTime,
  scheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT_ID}:schedule/default/apprunner-guard-test-cleanup-sweep`,
});

// ---- the real handler, on dynalite, with its clients mocked ----

type Handler = (event: unknown, context: Context) => Promise<HandlerResult>;
let handler: Handler;
let dryRunHandler: Handler;
let ledger: SnapshotStore;
const LEDGER = 'cleanup-fn-ledger';
const env = {
  IDEMPOTENCY_TABLE: 'cleanup-fn-idempotency',
  LEDGER_TABLE: LEDGER,
  CLEANUP_GRACE_MINUTES: '60',
  CLEANUP_MAX_DELETE_ATTEMPTS: '3',
  SERVICE_QUOTA: '10',
};

const db = useDynamoDB({ tables: { idempotency: env.IDEMPOTENCY_TABLE, ledger: LEDGER } });
beforeAll(async () => {
  ledger = createSnapshotStore(db.client, LEDGER);
  // Built as functions/cleanup.ts builds it, with the config passed in (no process.env, no module reset).
  handler = (await cleanupHandler(db, env)) as unknown as Handler;
  dryRunHandler = (await cleanupHandler(db, { ...env, DRY_RUN_CLEANUP: 'true' })) as unknown as Handler;
});
beforeEach(() => installFakes());

const invoke = (event: unknown) => handler(structuredClone(event), lambdaContext() as unknown as Context);
const invokeDry = (event: unknown) =>
  dryRunHandler(structuredClone(event), lambdaContext() as unknown as Context);
const deleteCalls = () => appRunner.commandCalls(DeleteServiceCommand).length;
const createCalls = () => scheduler.commandCalls(CreateScheduleCommand);

describe('cleanup on a failure event', () => {
  it('snapshots a CREATE_FAILED service, schedules its deletion after the grace period, alerts once', async () => {
    const s = addService('CREATE_FAILED', { tags: { team: 'payments' } });
    const result = await invoke(eventFor('apprunner-status/create-failed', s));

    expect(result).toMatchObject({
      outcome: 'acted',
      action: 'schedule-deletion',
      deleteAt: '2026-11-20T15:05:00.000Z',
      snapshotKey: 'snapshot#2026-11-20T14:05:00.000Z',
    });
    const calls = createCalls();
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({
      Name: `cleanup-${s.id}-0`,
      GroupName: 'apprunner-guard-test',
      ScheduleExpression: 'at(2026-11-20T15:05:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:apprunner-guard-test-cleanup`,
        RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/apprunner-guard-scheduler`,
      },
    });
    expect(JSON.parse(input.Target!.Input!)).toEqual({
      action: 'delete-failed-service',
      serviceArn: s.arn,
      scheduledTime: '<aws.scheduler.scheduled-time>',
      attempt: 0,
      snapshotKey: 'snapshot#2026-11-20T14:05:00.000Z',
    });

    expect(published).toHaveLength(1);
    const [event] = published;
    expect(event!.detailType).toBe('Failed Service Deletion Scheduled');
    expect(event!.detail).toMatchObject({
      job: 'cleanup',
      outcome: 'acted',
      action: 'schedule-deletion',
      dryRun: false,
      service: { arn: s.arn, name: s.name, region: REGION, account: ACCOUNT_ID },
      details: {
        status: 'CREATE_FAILED',
        failureStatus: 'CREATE_FAILED',
        failureMessage: 'Service status is set to CREATE_FAILED.',
        deleteAt: '2026-11-20T15:05:00.000Z',
        snapshotKey: 'snapshot#2026-11-20T14:05:00.000Z',
        scheduleName: `cleanup-${s.id}-0`,
        lastOperations:
          'CREATE_SERVICE FAILED (started 2026-11-20T14:00:00.000Z, ended 2026-11-20T14:03:10.000Z)',
      },
    });
    expect(event!.detail.reason).toContain('deletion scheduled for 2026-11-20T15:05:00.000Z');

    const snapshot = await ledger.getSnapshot(s.arn, 'snapshot#2026-11-20T14:05:00.000Z');
    expect(snapshot?.body).toMatchObject({
      service: { arn: s.arn, status: 'CREATE_FAILED', imageIdentifier: expect.stringContaining(s.name) },
      tags: { team: 'payments' },
      operations: [{ id: 'op-create', type: 'CREATE_SERVICE', status: 'FAILED' }],
      event: { status: 'CREATE_FAILED', message: 'Service status is set to CREATE_FAILED.' },
    });
    expect(deleteCalls()).toBe(0);
  });

  it('handles the twin events of one failure once: the second finds the deletion scheduled', async () => {
    const s = addService('CREATE_FAILED');
    const first = await invoke(
      eventFor('apprunner-operation/create-service-failed', s, '2026-11-20T14:03:10Z'),
    );
    const second = await invoke(eventFor('apprunner-status/create-failed', s, '2026-11-20T14:05:00Z'));
    expect(first).toMatchObject({ outcome: 'acted', deleteAt: '2026-11-20T15:03:10.000Z' });
    expect(second).toMatchObject({ outcome: 'noop', reason: expect.stringContaining('already scheduled') });
    expect(createCalls()).toHaveLength(1);
    expect(published).toHaveLength(1);
    expect(published[0]!.detail.details).toMatchObject({
      failureStatus: 'CreateServiceFailed',
      failureMessage: 'Service creation failed.',
    });
  });

  it('publishes one outcome even when the twins race each other', async () => {
    const s = addService('CREATE_FAILED');
    const results = await Promise.all([
      invoke(eventFor('apprunner-operation/create-service-failed', s, '2026-11-20T14:03:10Z')),
      invoke(eventFor('apprunner-status/create-failed', s, '2026-11-20T14:05:00Z')),
    ]);
    expect(results.filter((r) => r.outcome === 'acted')).toHaveLength(1);
    expect(schedules.size).toBe(1);
    expect(published).toHaveLength(1);
  });

  it('acts once when the same event is delivered twice', async () => {
    const s = addService('CREATE_FAILED');
    const event = eventFor('apprunner-status/create-failed', s);
    const first = await invoke(event);
    const second = await invoke(event);
    expect(second).toEqual(first);
    expect(createCalls()).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  it('treats a repair that fails again as a new failure: new grace period, new alert', async () => {
    const s = addService('CREATE_FAILED', { updatedAt: '2026-11-20T14:05:00Z' });
    await invoke(eventFor('apprunner-status/create-failed', s));
    // Someone starts a repair; the schedule fires meanwhile (and Scheduler deletes it).
    s.status = 'OPERATION_IN_PROGRESS';
    expect(await invoke(fire(s, '2026-11-20T15:05:00Z'))).toMatchObject({ outcome: 'deferred' });
    schedules.clear();
    // The repair fails: CREATE_FAILED again.
    s.status = 'CREATE_FAILED';
    s.updatedAt = new Date('2026-11-20T15:20:00Z');
    const again = await invoke(eventFor('apprunner-status/create-failed', s, '2026-11-20T15:20:00Z'));
    expect(again).toMatchObject({ outcome: 'acted', deleteAt: '2026-11-20T16:20:00.000Z' });
    expect(published.map((p) => p.detailType)).toEqual([
      'Failed Service Deletion Scheduled',
      'Failed Service Deletion Scheduled',
    ]);
    expect(deleteCalls()).toBe(0);
  });

  it('reads the camelCase spelling of the events too', async () => {
    const s = addService('CREATE_FAILED');
    const result = await invoke(toCamelCaseEvent(eventFor('apprunner-status/create-failed', s)));
    expect(result).toMatchObject({ outcome: 'acted', action: 'schedule-deletion' });
  });

  it('keeps an opted-out service: snapshot and one "kept" alert, no schedule', async () => {
    const s = addService('CREATE_FAILED', { tags: { 'apprunner-guard:cleanup': 'OFF' } });
    const result = await invoke(eventFor('apprunner-status/create-failed', s));
    expect(result).toMatchObject({ outcome: 'skipped', snapshotKey: 'snapshot#2026-11-20T14:05:00.000Z' });
    expect(createCalls()).toHaveLength(0);
    expect(published.map((p) => p.detailType)).toEqual(['Failed Service Kept']);
    expect(published[0]!.detail.reason).toContain('opted out');
    await invoke(eventFor('apprunner-operation/create-service-failed', s, '2026-11-20T14:06:00Z'));
    expect(published).toHaveLength(1);
    expect(await ledger.getSnapshot(s.arn, 'snapshot#2026-11-20T14:05:00.000Z')).toBeDefined();
  });

  it('does nothing for a stale event: the service is RUNNING again, or gone', async () => {
    const repaired = addService('RUNNING');
    expect(await invoke(eventFor('apprunner-status/create-failed', repaired))).toMatchObject({
      outcome: 'noop',
      reason: expect.stringContaining('RUNNING'),
    });
    const gone = addService('CREATE_FAILED');
    gone.deleted = true;
    expect(await invoke(eventFor('apprunner-status/create-failed', gone))).toMatchObject({ outcome: 'noop' });
    expect(published).toEqual([]);
    expect(createCalls()).toHaveLength(0);
  });

  it('skips App Runner events that are not cleanup triggers', async () => {
    const s = addService('RUNNING');
    expect(await invoke(eventFor('apprunner-status/running', s))).toMatchObject({ outcome: 'skipped' });
    expect(appRunner.calls()).toHaveLength(0);
  });

  it('rejects a malformed scheduler payload without acting', async () => {
    expect(await invoke(loadFixture('invalid/scheduler-unknown-action'))).toMatchObject({
      outcome: 'rejected',
    });
    expect(
      await invoke({
        action: 'delete-failed-service',
        serviceArn: 'arn:nope',
        scheduledTime: '2026-11-20T14:05:00Z',
      }),
    ).toMatchObject({
      outcome: 'rejected',
      field: 'serviceArn',
    });
  });

  it('on DELETE_FAILED after the guard deleted it: retries with back-off (attempt 1, 5 minutes)', async () => {
    const s = addService('DELETE_FAILED');
    await ledger.recordDeletionAttempt(s.arn, 1, new Date('2026-11-20T15:05:00Z'));
    const result = await invoke(eventFor('apprunner-status/delete-failed', s, '2026-11-20T15:10:00Z'));
    expect(result).toMatchObject({ outcome: 'acted', deleteAt: '2026-11-20T15:15:00.000Z' });
    const input = createCalls()[0]!.args[0].input;
    expect(input.Name).toBe(`cleanup-${s.id}-1`);
    expect(JSON.parse(input.Target!.Input!)).toMatchObject({ attempt: 1 });
    expect(published[0]).toMatchObject({
      detailType: 'Failed Service Deletion Scheduled',
      detail: { details: { status: 'DELETE_FAILED', attempt: 1, maxDeleteAttempts: 3 } },
    });
  });

  it('counts failed deletions from App Runner operations too (a human tried twice)', async () => {
    const failedDelete: OperationSummary = { Id: 'd', Type: 'DELETE_SERVICE', Status: 'FAILED' };
    const s = addService('DELETE_FAILED', { operations: [failedDelete, { ...failedDelete, Id: 'd2' }] });
    await invoke(eventFor('apprunner-status/delete-failed', s, '2026-11-20T15:10:00Z'));
    expect(createCalls()[0]!.args[0].input.Name).toBe(`cleanup-${s.id}-2`);
    expect(createCalls()[0]!.args[0].input.ScheduleExpression).toBe('at(2026-11-20T15:20:00)');
  });

  it('gives up after maxDeleteAttempts failed deletions and asks a human, once', async () => {
    const s = addService('DELETE_FAILED');
    await ledger.recordDeletionAttempt(s.arn, 3, new Date('2026-11-20T15:05:00Z'));
    const result = await invoke(eventFor('apprunner-status/delete-failed', s, '2026-11-20T15:10:00Z'));
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('A human should look'),
    });
    await invoke(eventFor('apprunner-status/delete-failed', s, '2026-11-20T15:11:00Z'));
    await invoke(sweepAt('2026-11-20T16:00:00Z'));
    expect(published.map((p) => p.detailType)).toEqual(['Cleanup Failed']);
    expect(published[0]!.detail).toMatchObject({ outcome: 'failed', details: { attempt: 3 } });
    expect(createCalls()).toHaveLength(0);
    expect(deleteCalls()).toBe(0);
  });

  it('in dry-run: snapshots and alerts what it would do, never schedules', async () => {
    const s = addService('CREATE_FAILED');
    const result = await invokeDry(eventFor('apprunner-status/create-failed', s));
    expect(result).toMatchObject({ outcome: 'acted', dryRun: true, deleteAt: '2026-11-20T15:05:00.000Z' });
    expect(createCalls()).toHaveLength(0);
    expect(published).toHaveLength(1);
    expect(published[0]!.detail).toMatchObject({ dryRun: true, action: 'schedule-deletion' });
    expect(published[0]!.detail.reason).toMatch(/^Dry run, nothing changed/);
    expect(await ledger.getSnapshot(s.arn, 'snapshot#2026-11-20T14:05:00.000Z')).toBeDefined();
    // The twin does not alert a second time, even without a schedule to find.
    await invokeDry(eventFor('apprunner-operation/create-service-failed', s, '2026-11-20T14:06:00Z'));
    expect(published).toHaveLength(1);
  });
});

describe('cleanup when the deletion schedule fires', () => {
  it('deletes a service still CREATE_FAILED, with a last snapshot, and says so', async () => {
    const s = addService('CREATE_FAILED');
    const result = await invoke(fire(s, '2026-11-20T15:05:00Z', 0, 'snapshot#2026-11-20T14:05:00.000Z'));
    expect(result).toMatchObject({ outcome: 'acted', action: 'delete-service' });
    expect(deleted).toEqual([s.arn]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      detailType: 'Failed Service Deleted',
      detail: {
        outcome: 'acted',
        action: 'delete-service',
        trigger: 'delete-failed-service@2026-11-20T15:05:00Z',
        details: {
          snapshotKey: 'snapshot#2026-11-20T15:05:00.000Z',
          failureSnapshotKey: 'snapshot#2026-11-20T14:05:00.000Z',
          operationId: 'op-delete',
          attempt: 1,
        },
      },
    });
    expect((await ledger.getSnapshot(s.arn, 'snapshot#2026-11-20T15:05:00.000Z'))?.body).toMatchObject({
      why: 'before deletion',
      service: { status: 'CREATE_FAILED' },
    });
    expect(await ledger.deletionAttempts(s.arn)).toBe(1);
  });

  it('keeps a service repaired during the grace period', async () => {
    const s = addService('RUNNING');
    const result = await invoke(fire(s, '2026-11-20T15:05:00Z'));
    expect(result).toMatchObject({ outcome: 'noop', reason: expect.stringContaining('repaired') });
    expect(deleteCalls()).toBe(0);
    expect(published.map((p) => [p.detailType, p.detail.outcome])).toEqual([['Failed Service Kept', 'noop']]);
  });

  it('keeps a service tagged cleanup=off during the grace period', async () => {
    const s = addService('CREATE_FAILED', { tags: { 'apprunner-guard:cleanup': 'off' } });
    const result = await invoke(fire(s, '2026-11-20T15:05:00Z'));
    expect(result).toMatchObject({ outcome: 'skipped' });
    expect(deleteCalls()).toBe(0);
    expect(published.map((p) => [p.detailType, p.detail.outcome])).toEqual([
      ['Failed Service Kept', 'skipped'],
    ]);
  });

  it('a service kept at its deletion time is not reported kept again by the next sweep', async () => {
    const d = nextDay();
    const s = addService('CREATE_FAILED', {
      updatedAt: `${d}T12:00:00Z`,
      tags: { 'apprunner-guard:cleanup': 'off' },
    });
    await invoke(fire(s, `${d}T13:05:00Z`));
    await invoke(sweepAt(`${d}T16:00:00Z`));
    expect(deleteCalls()).toBe(0);
    expect(
      published.filter((p) => p.detail.service?.arn === s.arn).map((p) => [p.detailType, p.detail.outcome]),
    ).toEqual([['Failed Service Kept', 'skipped']]);
  });

  it('does nothing, quietly, for a service deleted by hand', async () => {
    const s = addService('CREATE_FAILED');
    s.deleted = true;
    expect(await invoke(fire(s, '2026-11-20T15:05:00Z'))).toMatchObject({
      outcome: 'noop',
      reason: expect.stringContaining('already deleted'),
    });
    expect(deleteCalls()).toBe(0);
    expect(published).toEqual([]);
  });

  it('a service with an operation in progress: touches nothing, looks again in 5 minutes (a wake-up), then deletes', async () => {
    const s = addService('OPERATION_IN_PROGRESS');
    expect(await invoke(fire(s, '2026-11-20T15:05:00Z'))).toMatchObject({
      outcome: 'deferred',
      reason: expect.stringContaining('looks again in 5 minutes'),
      retryAt: '2026-11-20T15:10:00.000Z',
    });
    expect(deleteCalls()).toBe(0);
    expect(published).toEqual([]);
    const wake = [...schedules.values()].at(-1)!;
    expect(wake).toMatchObject({
      ScheduleExpression: 'at(2026-11-20T15:10:00)',
      ActionAfterCompletion: 'DELETE',
    });
    // The repair ended in CREATE_FAILED again: the wake-up deletes it.
    s.status = 'CREATE_FAILED';
    const again = JSON.parse(wake.Target!.Input!) as Record<string, unknown>;
    expect(await invoke({ ...again, scheduledTime: '2026-11-20T15:10:00Z' })).toMatchObject({
      outcome: 'acted',
    });
    expect(published.map((p) => p.detailType)).toEqual(['Failed Service Deleted']);
  });

  it('InvalidStateException on a scheduled deletion: a wake-up of the same payload later, which re-observes and deletes', async () => {
    const s = addService('CREATE_FAILED');
    deleteFails = () => new InvalidStateException({ message: 'operation in progress', $metadata: {} });
    const payload = fire(s, '2026-11-20T15:05:00Z');
    expect(await invoke(payload)).toMatchObject({
      outcome: 'deferred',
      reason: expect.stringMatching(/operation is in progress/),
      retryAt: '2026-11-20T15:07:00.000Z',
    });
    expect(published).toEqual([]);
    const wake = [...schedules.values()].at(-1)!;
    expect(wake).toMatchObject({
      ScheduleExpression: 'at(2026-11-20T15:07:00)',
      ActionAfterCompletion: 'DELETE',
    });
    const again = JSON.parse(wake.Target!.Input!) as Record<string, unknown>;
    expect(again).toMatchObject({ firstAttemptAt: '2026-11-20T15:05:00Z', serviceArn: s.arn });
    deleteFails = undefined;
    expect(await invoke({ ...again, scheduledTime: '2026-11-20T15:07:00Z' })).toMatchObject({
      outcome: 'acted',
    });
    expect(published.map((p) => p.detailType)).toEqual(['Failed Service Deleted']);
  });

  it('treats ResourceNotFoundException on DeleteService as already gone', async () => {
    const s = addService('CREATE_FAILED');
    deleteFails = () => notFound();
    expect(await invoke(fire(s, '2026-11-20T15:05:00Z'))).toMatchObject({
      outcome: 'noop',
      reason: expect.stringContaining('disappeared'),
    });
    expect(published).toEqual([]);
  });

  it('retries a DELETE_FAILED service below the limit and gives up at it', async () => {
    const s = addService('DELETE_FAILED');
    await ledger.recordDeletionAttempt(s.arn, 1, new Date('2026-11-20T15:05:00Z'));
    expect(await invoke(fire(s, '2026-11-20T15:15:00Z', 1))).toMatchObject({ outcome: 'acted' });
    expect(await ledger.deletionAttempts(s.arn)).toBe(2);
    expect(published[0]!.detail.details).toMatchObject({ attempt: 2 });

    const stuck = addService('DELETE_FAILED');
    await ledger.recordDeletionAttempt(stuck.arn, 3, new Date('2026-11-20T15:05:00Z'));
    expect(await invoke(fire(stuck, '2026-11-20T15:45:00Z', 2))).toMatchObject({ outcome: 'failed' });
    expect(deleted).toEqual([s.arn]);
    expect(published.map((p) => p.detailType)).toEqual(['Failed Service Deleted', 'Cleanup Failed']);
  });

  it('in dry-run: says it would delete, deletes nothing', async () => {
    const s = addService('CREATE_FAILED');
    expect(await invokeDry(fire(s, '2026-11-20T15:05:00Z'))).toMatchObject({
      outcome: 'acted',
      dryRun: true,
    });
    expect(deleteCalls()).toBe(0);
    expect(published[0]).toMatchObject({ detailType: 'Failed Service Deleted', detail: { dryRun: true } });
  });

  it('acts once when the schedule delivers twice', async () => {
    const s = addService('CREATE_FAILED');
    await invoke(fire(s, '2026-11-20T15:05:00Z'));
    await invoke(fire(s, '2026-11-20T15:05:00Z'));
    expect(deleteCalls()).toBe(1);
    expect(published).toHaveLength(1);
  });

  it('end to end: failure → schedule → fires → deleted, evidence linked', async () => {
    const s = addService('CREATE_FAILED');
    await invoke(eventFor('apprunner-status/create-failed', s));
    const schedule = schedules.get(`cleanup-${s.id}-0`)!;
    const payload = JSON.parse(
      schedule.Target!.Input!.replace('<aws.scheduler.scheduled-time>', '2026-11-20T15:05:00Z'),
    );
    await invoke(payload);
    expect(published.map((p) => p.detailType)).toEqual([
      'Failed Service Deletion Scheduled',
      'Failed Service Deleted',
    ]);
    expect(published[1]!.detail.details.failureSnapshotKey).toBe(published[0]!.detail.details.snapshotKey);
  });
});

describe('cleanup sweep', () => {
  it('handles every failed service, pages through the list, and never touches any other status', async () => {
    const d = nextDay();
    const others = [
      addService('RUNNING'),
      addService('PAUSED'),
      addService('OPERATION_IN_PROGRESS'),
      addService('DELETED'),
    ];
    const old = addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z` });
    const young = addService('CREATE_FAILED', { updatedAt: `${d}T15:30:00Z` });
    const optedOut = addService('CREATE_FAILED', {
      updatedAt: `${d}T12:00:00Z`,
      tags: { 'apprunner-guard:cleanup': 'off' },
    });
    const retry = addService('DELETE_FAILED', { updatedAt: `${d}T15:58:00Z` });
    const scheduled = addService('CREATE_FAILED', { updatedAt: `${d}T15:30:00Z` });
    schedules.set(`cleanup-${scheduled.id}-0`, {
      Name: `cleanup-${scheduled.id}-0`,
    } as CreateScheduleCommandInput);

    const result = await invoke(sweepAt(`${d}T16:00:00Z`));

    expect(appRunner.commandCalls(ListServicesCommand).length).toBe(5);
    expect(result).toMatchObject({
      outcome: 'acted',
      summary: {
        services: 8,
        createFailed: 4,
        deleteFailed: 1,
        untouched: 3,
        deleted: 1,
        scheduled: 2,
        kept: 1,
        unchanged: 1,
        errors: 0,
        quota: { used: 8, limit: 10, percent: 80, warned: true },
      },
    });
    expect(deleted).toEqual([old.arn]);
    for (const s of others) {
      expect(appRunner.commandCalls(DescribeServiceCommand, { ServiceArn: s.arn })).toHaveLength(0);
    }
    expect(schedules.get(`cleanup-${young.id}-0`)?.ScheduleExpression).toBe(`at(${d}T16:30:00)`);
    expect(schedules.get(`cleanup-${retry.id}-1`)?.ScheduleExpression).toBe(`at(${d}T16:03:00)`);
    const byService = (arn: string) =>
      published.filter((p) => p.detail.service?.arn === arn).map((p) => p.detailType);
    expect(byService(old.arn)).toEqual(['Failed Service Deleted']);
    expect(byService(young.arn)).toEqual(['Failed Service Deletion Scheduled']);
    expect(byService(optedOut.arn)).toEqual(['Failed Service Kept']);
    expect(byService(retry.arn)).toEqual(['Failed Service Deletion Scheduled']);
    expect(byService(scheduled.arn)).toEqual([]);
    const quota = published.find((p) => p.detailType === 'Service Quota Warning');
    expect(quota?.detail).toMatchObject({
      outcome: 'acted',
      action: 'warn-quota',
      trigger: `sweep@${d}T16:00:00Z`,
      details: { used: 8, limit: 10, percent: 80, level: 80 },
    });
    expect(quota?.detail.reason).toContain('8 of 10 App Runner services');
  });

  it('does not repeat itself the next hour: no new alerts, no second deletion', async () => {
    const d = nextDay();
    addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z`, tags: { 'apprunner-guard:cleanup': 'off' } });
    addService('CREATE_FAILED', { updatedAt: `${d}T15:30:00Z` });
    for (let i = 0; i < 6; i++) addService('RUNNING');
    await invoke(sweepAt(`${d}T16:00:00Z`));
    const after = published.length;
    expect(after).toBe(3);
    const second = await invoke(sweepAt(`${d}T17:00:00Z`));
    expect(published).toHaveLength(after);
    expect(second).toMatchObject({ outcome: 'noop', summary: { unchanged: 2, quota: { warned: false } } });
  });

  it('catches a CREATE_FAILED service whose event was lost, then the event path stays quiet', async () => {
    const d = nextDay();
    const s = addService('CREATE_FAILED', { updatedAt: `${d}T15:30:00Z` });
    await invoke(sweepAt(`${d}T16:00:00Z`));
    await invoke(eventFor('apprunner-status/create-failed', s, `${d}T16:01:00Z`));
    expect(published.map((p) => p.detailType)).toEqual(['Failed Service Deletion Scheduled']);
    expect(schedules.size).toBe(1);
  });

  it('does not warn below 80 % of the quota', async () => {
    const d = nextDay();
    for (let i = 0; i < 7; i++) addService('RUNNING');
    expect(await invoke(sweepAt(`${d}T16:00:00Z`))).toMatchObject({
      outcome: 'noop',
      summary: { quota: { percent: 70, warned: false } },
    });
    expect(published).toEqual([]);
  });

  it('in dry-run: plans and alerts, never deletes or schedules', async () => {
    const d = nextDay();
    const old = addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z` });
    addService('CREATE_FAILED', { updatedAt: `${d}T15:30:00Z` });
    const result = await invokeDry(sweepAt(`${d}T16:00:00Z`));
    expect(result).toMatchObject({ dryRun: true, summary: { deleted: 1, scheduled: 1 } });
    expect(deleteCalls()).toBe(0);
    expect(createCalls()).toHaveLength(0);
    expect(published.every((p) => p.detail.dryRun)).toBe(true);
    expect(published.find((p) => p.detail.service?.arn === old.arn)?.detailType).toBe(
      'Failed Service Deleted',
    );
  });

  it('alerts a service it cannot handle and carries on with the others', async () => {
    const d = nextDay();
    const broken = addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z` });
    const fine = addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z` });
    tagsFail = (arn) => (arn === broken.arn ? sdkError('AccessDeniedException', 'not allowed') : undefined);
    const result = await invoke(sweepAt(`${d}T16:00:00Z`));
    expect(result).toMatchObject({ outcome: 'failed', summary: { errors: 1, deleted: 1 } });
    expect(deleted).toEqual([fine.arn]);
    expect(published.find((p) => p.detail.service?.arn === broken.arn)).toMatchObject({
      detailType: 'Cleanup Failed',
      detail: { outcome: 'failed', details: { error: 'AccessDeniedException' } },
    });
  });

  it('comes back in 15 minutes (a wake-up) when a service hit a retryable error, after handling the others', async () => {
    const d = nextDay();
    const busy = addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z` });
    const fine = addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z` });
    deleteFails = (arn) =>
      arn === busy.arn ? new InvalidStateException({ message: 'in progress', $metadata: {} }) : undefined;
    expect(await invoke(sweepAt(`${d}T16:00:00Z`))).toMatchObject({
      outcome: 'deferred',
      reason: expect.stringMatching(/1 item\(s\) need another try/),
      retryAt: `${d}T16:15:00.000Z`,
    });
    expect(deleted).toEqual([fine.arn]);
    const wake = [...schedules.values()].at(-1)!;
    expect(JSON.parse(wake.Target!.Input!)).toMatchObject({
      action: 'sweep',
      firstAttemptAt: `${d}T16:00:00Z`,
    });
    deleteFails = undefined;
    await invoke({ ...JSON.parse(wake.Target!.Input!), scheduledTime: `${d}T16:15:00Z` });
    expect(deleted).toEqual([fine.arn, busy.arn]);
    expect(published.filter((p) => p.detailType === 'Failed Service Deleted')).toHaveLength(2);
  });

  it('records the sweep as idempotent on its scheduled time', async () => {
    const d = nextDay();
    addService('CREATE_FAILED', { updatedAt: `${d}T12:00:00Z` });
    await invoke(sweepAt(`${d}T16:00:00Z`));
    await invoke(sweepAt(`${d}T16:00:00Z`));
    expect(appRunner.commandCalls(ListServicesCommand)).toHaveLength(1);
  });
});
