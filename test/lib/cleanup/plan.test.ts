import { describe, expect, it } from 'vitest';
import {
  attemptFor,
  type CleanupSettings,
  type FailedServiceObservation,
  planFailedService,
  planScheduledDeletion,
  planSweep,
  retryDelayMinutes,
  type ScheduledDeletionObservation,
  type SweepServiceInput,
  scheduleNameFor,
} from '../../../lib/cleanup/plan.ts';

const settings: CleanupSettings = { graceMinutes: 60, maxDeleteAttempts: 3, serviceQuota: 10, dryRun: false };
const T0 = new Date('2026-11-20T14:05:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

describe('retryDelayMinutes / scheduleNameFor / attemptFor', () => {
  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [4, 40],
    [20, 24 * 60],
  ])('attempt %i waits %i minutes', (attempt, delay) => {
    expect(retryDelayMinutes(attempt)).toBe(delay);
  });

  it('names schedules deterministically within Scheduler limits', () => {
    const name = scheduleNameFor('0a1b2c3d4e5f60718293a4b5c6d7e8f9', 20);
    expect(name).toBe('cleanup-0a1b2c3d4e5f60718293a4b5c6d7e8f9-20');
    expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
  });

  it.each([
    ['CREATE_FAILED', 0, 0],
    ['DELETE_FAILED', 0, 1],
    ['DELETE_FAILED', 2, 2],
  ] as const)('%s with %i failed deletions is attempt %i', (status, failed, attempt) => {
    expect(attemptFor(status, failed)).toBe(attempt);
  });
});

describe('planFailedService', () => {
  const obs = (o: Partial<FailedServiceObservation> = {}): FailedServiceObservation => ({
    status: 'CREATE_FAILED',
    optedOut: false,
    failedDeletions: 0,
    pendingSchedule: undefined,
    failedAt: T0,
    now: T0,
    ...o,
  });

  it.each<[string, Partial<FailedServiceObservation>, Record<string, unknown>]>([
    [
      'CREATE_FAILED: schedules deletion after the grace period',
      {},
      { kind: 'schedule-deletion', attempt: 0, deleteAt: minutes(60), claim: 'schedule#CREATE_FAILED#0' },
    ],
    [
      'DELETE_FAILED after one failed deletion: retries after 5 minutes',
      { status: 'DELETE_FAILED', failedDeletions: 1 },
      { kind: 'schedule-deletion', attempt: 1, deleteAt: minutes(5), claim: 'schedule#DELETE_FAILED#1' },
    ],
    [
      'DELETE_FAILED nobody counted (a human deleted): attempt 1',
      { status: 'DELETE_FAILED', failedDeletions: 0 },
      { kind: 'schedule-deletion', attempt: 1, deleteAt: minutes(5) },
    ],
    [
      'DELETE_FAILED after two: backs off to 10 minutes',
      { status: 'DELETE_FAILED', failedDeletions: 2 },
      { kind: 'schedule-deletion', attempt: 2, deleteAt: minutes(10) },
    ],
    [
      'DELETE_FAILED at the limit: gives up for a human',
      { status: 'DELETE_FAILED', failedDeletions: 3 },
      { kind: 'give-up', attempt: 3, claim: 'give-up' },
    ],
    ['opted out: kept', { optedOut: true }, { kind: 'keep', claim: 'keep#CREATE_FAILED#0' }],
    [
      'opted out DELETE_FAILED: kept',
      { status: 'DELETE_FAILED', optedOut: true, failedDeletions: 5 },
      { kind: 'keep' },
    ],
    ['already scheduled (twin event): nothing', { pendingSchedule: 'cleanup-x-0' }, { kind: 'noop' }],
    ['service gone: nothing', { status: undefined }, { kind: 'noop' }],
    ['repaired (RUNNING): nothing', { status: 'RUNNING' }, { kind: 'noop' }],
    ['PAUSED: never touched', { status: 'PAUSED' }, { kind: 'noop' }],
    ['OPERATION_IN_PROGRESS: never touched', { status: 'OPERATION_IN_PROGRESS' }, { kind: 'noop' }],
    ['DELETED: never touched', { status: 'DELETED' }, { kind: 'noop' }],
    [
      'sweep finds a failure past the grace period: deletes now',
      { failedAt: minutes(-61) },
      { kind: 'delete-now', attempt: 0, claim: 'delete#CREATE_FAILED#0' },
    ],
    [
      'exactly at the end of the grace period: deletes now',
      { failedAt: minutes(-60) },
      { kind: 'delete-now' },
    ],
    [
      'sweep finds a young failure whose event was lost: schedules at failure + grace',
      { failedAt: minutes(-20) },
      { kind: 'schedule-deletion', deleteAt: minutes(40) },
    ],
    [
      'sweep finds an old DELETE_FAILED: retries now',
      { status: 'DELETE_FAILED', failedDeletions: 1, failedAt: minutes(-30) },
      { kind: 'delete-now', attempt: 1, claim: 'delete#DELETE_FAILED#1' },
    ],
  ])('%s', (_name, o, expected) => {
    const plan = planFailedService(obs(o), settings);
    expect(plan).toMatchObject(expected);
    expect(plan.reason.length).toBeGreaterThan(10);
  });

  it('ties claims to the occurrence of the failure, so a repair that fails again is a new one', () => {
    expect(planFailedService(obs({ occurrence: '2026-11-20T14:05:00.000Z' }), settings)).toMatchObject({
      claim: 'schedule#CREATE_FAILED#0#2026-11-20T14:05:00.000Z',
    });
    expect(planFailedService(obs({ optedOut: true, occurrence: 'x' }), settings)).toMatchObject({
      claim: 'keep#CREATE_FAILED#0#x',
    });
    // Giving up is once per service, whatever the occurrence.
    expect(
      planFailedService(obs({ status: 'DELETE_FAILED', failedDeletions: 3, occurrence: 'x' }), settings),
    ).toMatchObject({ claim: 'give-up' });
  });

  it('says when deletion is scheduled, in the reason', () => {
    expect(planFailedService(obs(), settings).reason).toContain(
      'deletion scheduled for 2026-11-20T15:05:00.000Z',
    );
  });

  it('noop reasons say why', () => {
    expect(planFailedService(obs({ status: 'RUNNING' }), settings).reason).toMatch(/RUNNING now/);
    expect(planFailedService(obs({ pendingSchedule: 'cleanup-x-0' }), settings).reason).toMatch(
      /already scheduled/,
    );
  });
});

describe('planScheduledDeletion', () => {
  const obs = (o: Partial<ScheduledDeletionObservation> = {}): ScheduledDeletionObservation => ({
    status: 'CREATE_FAILED',
    optedOut: false,
    failedDeletions: 0,
    attempt: 0,
    ...o,
  });

  it.each<[string, Partial<ScheduledDeletionObservation>, Record<string, unknown>]>([
    ['still CREATE_FAILED: deletes (first attempt)', {}, { kind: 'delete', attempt: 1 }],
    [
      'DELETE_FAILED retry below the limit: deletes again',
      { status: 'DELETE_FAILED', failedDeletions: 1, attempt: 1 },
      { kind: 'delete', attempt: 2 },
    ],
    [
      'DELETE_FAILED at the limit: gives up',
      { status: 'DELETE_FAILED', failedDeletions: 3, attempt: 2 },
      { kind: 'give-up', attempt: 3 },
    ],
    ['repaired (RUNNING): kept, noop', { status: 'RUNNING' }, { kind: 'keep', outcome: 'noop' }],
    ['repaired then paused: kept, noop', { status: 'PAUSED' }, { kind: 'keep', outcome: 'noop' }],
    ['re-tagged cleanup=off: kept, skipped', { optedOut: true }, { kind: 'keep', outcome: 'skipped' }],
    ['deleted by hand: noop', { status: undefined }, { kind: 'noop' }],
    ['DELETED: noop', { status: 'DELETED' }, { kind: 'noop' }],
    ['operation in progress: deferred', { status: 'OPERATION_IN_PROGRESS' }, { kind: 'defer' }],
  ])('%s', (_name, o, expected) => {
    expect(planScheduledDeletion(obs(o), settings)).toMatchObject(expected);
  });

  it('a repaired service stays kept even when opted out too', () => {
    expect(planScheduledDeletion(obs({ status: 'RUNNING', optedOut: true }), settings)).toMatchObject({
      kind: 'keep',
      reason: expect.stringContaining('repaired'),
    });
  });
});

describe('planSweep', () => {
  const svc = (name: string, status: SweepServiceInput['status'], updatedAt?: string): SweepServiceInput => ({
    arn: `arn:aws:apprunner:us-east-1:111122223333:service/${name}/${'a'.repeat(32)}`,
    id: 'a'.repeat(32),
    name,
    status,
    ...(updatedAt ? { updatedAt } : {}),
  });

  it('selects only CREATE_FAILED and DELETE_FAILED services, with when they failed', () => {
    const plan = planSweep(
      [
        svc('api1', 'RUNNING'),
        svc('api2', 'PAUSED'),
        svc('api3', 'OPERATION_IN_PROGRESS'),
        svc('bad1', 'CREATE_FAILED', '2026-11-20T10:00:00Z'),
        svc('bad2', 'DELETE_FAILED'),
        svc('gone', 'DELETED'),
      ],
      settings,
      T0,
    );
    expect(plan.failed.map((f) => [f.service.name, f.failedAt.toISOString()])).toEqual([
      ['bad1', '2026-11-20T10:00:00.000Z'],
      ['bad2', T0.toISOString()],
    ]);
    expect(plan.counts).toEqual({ services: 5, createFailed: 1, deleteFailed: 1, untouched: 3 });
  });

  it('falls back to CreatedAt when UpdatedAt is missing', () => {
    const s = { ...svc('bad1', 'CREATE_FAILED'), createdAt: '2026-11-19T00:00:00Z' };
    expect(planSweep([s], settings, T0).failed[0]!.failedAt.toISOString()).toBe('2026-11-19T00:00:00.000Z');
  });

  it.each([
    [0, 0, undefined],
    [7, 70, undefined],
    [8, 80, 80],
    [9, 90, 90],
    [10, 100, 100],
    [12, 120, 100],
  ])('%i of 10 services: %i %%, warning level %s', (count, percent, level) => {
    const plan = planSweep(
      Array.from({ length: count }, (_, i) => svc(`svc${i}x`, 'RUNNING')),
      settings,
      T0,
    );
    expect(plan.quota).toEqual({ used: count, limit: 10, percent, level });
  });

  it('does not count DELETED services toward the quota', () => {
    const plan = planSweep(
      Array.from({ length: 9 }, (_, i) => svc(`svc${i}x`, i < 2 ? 'DELETED' : 'RUNNING')),
      settings,
      T0,
    );
    expect(plan.quota).toMatchObject({ used: 7, level: undefined });
  });
});
