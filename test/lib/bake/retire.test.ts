import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import {
  type BakeAlarmPorts,
  reconcileServiceAlarms,
  retireOrphanAlarms,
} from '../../../lib/bake/reconcile.ts';
import { planOwnAlarm, planServiceAlarms } from '../../../lib/bake/retire.ts';
import { RetryableError } from '../../../lib/core/errors.ts';
import type { GuardEventEntry } from '../../../lib/core/guard-event.ts';
import type { AlarmsPort, AlarmView } from '../../../lib/core/ports/alarms.ts';
import type { BakeLedger, BakeRecord } from '../../../lib/core/ports/bake-ledger.ts';
import { parseServiceArn } from '../../../lib/events/app-runner.ts';
import { type InMemoryService, inMemoryAppRunner } from '../../support/app-runner.ts';
import { ARN, bakeOf, OWN_ALARM as OWN, BAKE_PREFIX as PREFIX, REPO } from '../release/views.ts';

const SERVICE = parseServiceArn(ARN)!;
const LIVE = { name: 'payments-api', id: SERVICE.id, status: 'RUNNING' as const };
const BAKE = { 'apprunner-guard:bake-minutes': '30' };
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

describe('planOwnAlarm: does one of the guard’s alarms still serve its service?', () => {
  it('keeps the default alarm of a live service opted in without its own alarms', () => {
    expect(planOwnAlarm(OWN, { live: LIVE, tags: BAKE }, PREFIX)).toMatchObject({ action: 'keep' });
  });

  it.each([
    ['service-deleted', undefined, BAKE],
    ['service-deleted', { ...LIVE, status: 'DELETED' as const }, BAKE],
    ['opt-in-removed', LIVE, { team: 'payments' }],
    ['opt-in-unreadable', LIVE, { 'apprunner-guard:bake-minutes': 'half an hour' }],
    ['alarms-tag', LIVE, { ...BAKE, 'apprunner-guard:alarms': 'payments-p99,payments-5xx' }],
  ] as const)('retires it: %s', (code, live, tags) => {
    const plan = planOwnAlarm(OWN, { live, tags }, PREFIX);
    expect(plan).toMatchObject({ action: 'delete', code });
    expect(plan.reason.length).toBeGreaterThan(20);
  });

  it('retires an alarm of the guard that is not the service’s default alarm (named by an older rule)', () => {
    expect(planOwnAlarm(`${PREFIX}payments-api-old`, { live: LIVE, tags: BAKE }, PREFIX)).toMatchObject({
      action: 'delete',
      code: 'not-the-default',
      reason: expect.stringContaining(OWN),
    });
  });
});

const view = (name: string): AlarmView => ({
  name,
  arn: `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${name}`,
  state: 'OK',
});

describe('planServiceAlarms: one service after a tag change or its deletion', () => {
  it('creates the default alarm when the opt-in was added and the alarm does not exist yet', () => {
    expect(planServiceAlarms({ service: SERVICE, live: LIVE, tags: BAKE, owned: [] }, PREFIX)).toMatchObject({
      create: OWN,
      retire: [],
    });
  });

  it('nothing to do: the alarm exists and still serves, or the guard owns none and none is asked for', () => {
    const keep = planServiceAlarms({ service: SERVICE, live: LIVE, tags: BAKE, owned: [view(OWN)] }, PREFIX);
    expect(keep).toEqual({ retire: [], reason: expect.stringContaining('still serves') });
    const none = planServiceAlarms({ service: SERVICE, live: LIVE, tags: {}, owned: [] }, PREFIX);
    expect(none).toEqual({ retire: [], reason: expect.stringContaining('owns no alarm') });
  });

  it('retires the default alarm when a user alarms tag replaced it, and creates nothing', () => {
    const tags = { ...BAKE, 'apprunner-guard:alarms': 'payments-p99' };
    expect(planServiceAlarms({ service: SERVICE, live: LIVE, tags, owned: [view(OWN)] }, PREFIX)).toEqual({
      retire: [{ alarm: OWN, code: 'alarms-tag', reason: expect.stringContaining('payments-p99') }],
      reason: expect.stringContaining(OWN),
    });
  });
});

/** An in-memory CloudWatch of one target: alarms with their tags. */
function fakeAlarms(seed: Array<{ name: string; tags: Record<string, string> }> = []) {
  const alarms = new Map(seed.map((a) => [a.name, a.tags]));
  const deleted: string[] = [];
  let failList: Error | undefined;
  const port: AlarmsPort = {
    describeAlarms: async (names) => names.filter((n) => alarms.has(n)).map(view),
    putDefaultAlarm: async (spec) => {
      alarms.set(spec.name, {
        'apprunner-guard:owner': 'apprunner-guard',
        'apprunner-guard:service': spec.serviceArn,
      });
    },
    listAlarmTags: async (arn) => alarms.get(arn.split(':alarm:')[1]!) ?? {},
    deleteAlarms: async (names) => {
      for (const n of names) {
        alarms.delete(n);
        deleted.push(n);
      }
    },
    listAlarmsByPrefix: async (prefix) => {
      if (failList) throw failList;
      return [...alarms.keys()].filter((n) => n.startsWith(prefix)).map(view);
    },
  };
  return {
    port,
    alarms,
    deleted,
    failListing: (e: Error) => {
      failList = e;
    },
  };
}

function fakeBakes(records: BakeRecord[] = []): BakeLedger & { records: Map<string, BakeRecord> } {
  const map = new Map(records.map((r) => [r.serviceArn, r]));
  return {
    records: map,
    getBake: async (arn) => map.get(arn),
    recordBake: async (b) => {
      map.set(b.serviceArn, b);
    },
    listBakesByAlarm: async () => [],
    removeBake: async (arn) => {
      map.delete(arn);
    },
  };
}

const bakeRecord = (over: Partial<BakeRecord> = {}): BakeRecord => bakeOf({ status: 'promoted', ...over });

const OWNED = { 'apprunner-guard:owner': 'apprunner-guard', 'apprunner-guard:service': ARN };

function world(opts: {
  service?: Partial<InMemoryService> | 'gone';
  alarms?: Array<{ name: string; tags: Record<string, string> }>;
  bakes?: BakeRecord[];
}) {
  const services: InMemoryService[] =
    opts.service === 'gone'
      ? []
      : [
          {
            name: 'payments-api',
            arn: ARN,
            status: 'RUNNING',
            tags: BAKE,
            image: `${REPO}:latest`,
            ...opts.service,
          },
        ];
  const appRunner = inMemoryAppRunner(services);
  const cw = fakeAlarms(opts.alarms ?? [{ name: OWN, tags: OWNED }]);
  const bakes = fakeBakes(opts.bakes ?? []);
  const published: GuardEventEntry[] = [];
  const ports: BakeAlarmPorts = {
    appRunner: appRunner.port,
    alarmsFor: () => cw.port,
    alarmsIn: () => cw.port,
    bakes,
    publisher: { publish: async (entries) => void published.push(...entries) },
  };
  return { ports, cw, bakes, published, appRunner };
}

const SETTINGS = { alarmPrefix: PREFIX, thresholdPercent: 5, dryRun: false };

describe('reconcileServiceAlarms (a tag change or a deletion)', () => {
  it('opt-in removed: deletes the default alarm, removes the ended bake record, says so (info)', async () => {
    const w = world({ service: { tags: {} }, bakes: [bakeRecord()] });
    const result = await reconcileServiceAlarms(SERVICE, 'ev-tag', 'tag-change', w.ports, SETTINGS);
    expect(result).toMatchObject({ outcome: 'acted', code: 'alarm-retired', alarmsRetired: [OWN] });
    expect(w.cw.deleted).toEqual([OWN]);
    expect(w.bakes.records.size).toBe(0);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]).toMatchObject({
      detailType: 'Bake Alarm Retired',
      detail: {
        job: 'record-release',
        outcome: 'acted',
        action: 'delete-alarm',
        trigger: 'ev-tag',
        dryRun: false,
        details: { code: 'opt-in-removed', alarmName: OWN, account: '111122223333', region: 'us-east-1' },
      },
    });
    expect(w.published[0]!.detail.reason).toMatch(
      /Deleted the guard's default alarm .* of payments-api \(account 111122223333, us-east-1\)/,
    );
  });

  it('a running bake keeps its record: its promotion still comes at its end', async () => {
    const w = world({ service: { tags: {} }, bakes: [bakeRecord({ status: 'baking' })] });
    await reconcileServiceAlarms(SERVICE, 'ev-tag', 'tag-change', w.ports, SETTINGS);
    expect(w.cw.deleted).toEqual([OWN]);
    expect(w.bakes.records.get(ARN)?.status).toBe('baking');
    expect(w.published[0]!.detail.details).toMatchObject({ bakeRecord: 'kept-until-bake-ends' });
  });

  it('never deletes a user’s alarm named under the guard’s prefix', async () => {
    const w = world({ service: { tags: {} }, alarms: [{ name: OWN, tags: { team: 'payments' } }] });
    const result = await reconcileServiceAlarms(SERVICE, 'ev-tag', 'tag-change', w.ports, SETTINGS);
    expect(result).toMatchObject({ outcome: 'noop', code: 'nothing-to-do' });
    expect(w.cw.deleted).toEqual([]);
    expect(w.published).toEqual([]);
  });

  it('opt-in added to a running service: creates its default alarm now', async () => {
    const w = world({ alarms: [] });
    const result = await reconcileServiceAlarms(SERVICE, 'ev-tag', 'tag-change', w.ports, SETTINGS);
    expect(result).toMatchObject({ outcome: 'acted', code: 'alarm-created', alarmCreated: OWN });
    expect(w.cw.alarms.get(OWN)).toEqual(OWNED);
    expect(w.published).toEqual([]);
  });

  it('nothing to do: the alarm still serves', async () => {
    const w = world({});
    expect(await reconcileServiceAlarms(SERVICE, 'ev-tag', 'tag-change', w.ports, SETTINGS)).toMatchObject({
      outcome: 'noop',
      code: 'nothing-to-do',
    });
    expect(w.cw.deleted).toEqual([]);
  });

  it('service deleted: deletes its alarm and closes even a running bake', async () => {
    const w = world({ service: 'gone', bakes: [bakeRecord({ status: 'baking' })] });
    const result = await reconcileServiceAlarms(SERVICE, 'ev-del', 'service-deleted', w.ports, SETTINGS);
    expect(result).toMatchObject({ outcome: 'acted', alarmsRetired: [OWN] });
    expect(w.bakes.records.size).toBe(0);
    expect(w.published[0]!.detail.details).toMatchObject({ code: 'service-deleted', bakeRecord: 'removed' });
  });

  it('service deleted with its own alarms only: the bake record is closed, no alarm touched', async () => {
    const w = world({
      service: 'gone',
      alarms: [],
      bakes: [bakeRecord({ alarms: ['payments-p99'], ownAlarm: undefined })],
    });
    const result = await reconcileServiceAlarms(SERVICE, 'ev-del', 'service-deleted', w.ports, SETTINGS);
    expect(result).toMatchObject({ outcome: 'acted', code: 'bake-closed' });
    expect(w.bakes.records.size).toBe(0);
  });

  it('dry run: keeps the alarm and the bake record, and says what it would delete', async () => {
    const w = world({ service: { tags: {} }, bakes: [bakeRecord()] });
    const result = await reconcileServiceAlarms(SERVICE, 'ev-tag', 'tag-change', w.ports, {
      ...SETTINGS,
      dryRun: true,
    });
    expect(result).toMatchObject({
      outcome: 'acted',
      dryRun: true,
      reason: expect.stringContaining('Dry run: would delete'),
    });
    expect(w.cw.deleted).toEqual([]);
    expect(w.bakes.records.size).toBe(1);
    expect(w.published[0]!.detail).toMatchObject({
      dryRun: true,
      reason: expect.stringContaining('Nothing was deleted'),
    });
  });
});

describe('retireOrphanAlarms (the hourly backstop pass)', () => {
  const TARGET = { account: '111122223333', region: 'us-east-1' };
  const targets = { isTarget: () => true, listTargets: () => [TARGET] };
  const run = (w: ReturnType<typeof world>, dryRun = false) =>
    retireOrphanAlarms(
      { scheduledTime: '2026-11-20T16:00:00Z' },
      { targets, ports: w.ports, settings: { ...SETTINGS, dryRun } },
      { logger },
    );

  it('nothing to do: every alarm of the guard still serves its service', async () => {
    const w = world({});
    expect(await run(w)).toMatchObject({ outcome: 'noop', code: 'nothing-to-do', retired: [] });
    expect(w.published).toEqual([]);
  });

  it('retires the alarms whose service is gone or no longer opted in; leaves a user’s alarm under the prefix alone', async () => {
    const gone =
      'arn:aws:apprunner:us-east-1:111122223333:service/orders-api/0123456789abcdef0123456789abcdef';
    const w = world({
      service: { tags: {} },
      alarms: [
        { name: OWN, tags: OWNED },
        {
          name: `${PREFIX}orders-api-0123456789abcdef0123456789abcdef`,
          tags: { ...OWNED, 'apprunner-guard:service': gone },
        },
        { name: `${PREFIX}hand-made`, tags: { team: 'payments' } },
      ],
    });
    const result = await run(w);
    expect(result).toMatchObject({ outcome: 'acted', code: 'alarms-retired' });
    expect(w.cw.deleted.sort()).toEqual([OWN, `${PREFIX}orders-api-0123456789abcdef0123456789abcdef`].sort());
    expect(result.reason).toContain('1 under the prefix not the guard');
    expect(w.published.map((e) => e.detail.details.code).sort()).toEqual([
      'opt-in-removed',
      'service-deleted',
    ]);
    expect(w.published.every((e) => e.detail.trigger === 'retire-alarms@2026-11-20T16:00:00Z')).toBe(true);
    expect(w.published[0]!.detail.reason).toContain('hourly pass');
  });

  it('dry run: reports what it would delete and deletes nothing', async () => {
    const w = world({ service: 'gone' });
    const result = await run(w, true);
    expect(result).toMatchObject({
      outcome: 'acted',
      dryRun: true,
      reason: expect.stringContaining('would be deleted (dry run)'),
    });
    expect(w.cw.deleted).toEqual([]);
    expect(w.published[0]!.detail).toMatchObject({ dryRun: true });
  });

  it('a target that cannot be read for now makes the pass come back later', async () => {
    const w = world({});
    w.cw.failListing(new RetryableError('throttled', { reason: 'throttling' }));
    await expect(run(w)).rejects.toMatchObject({ kind: 'retry-after', delaySeconds: 900 });
  });
});
