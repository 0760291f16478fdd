import { describe, expect, it } from 'vitest';
import { planAlarm } from '../../../lib/bake/alarm.ts';
import { readBakeOptIn } from '../../../lib/bake/opt-in.ts';
import { type ObservedPromotion, planPromotion } from '../../../lib/bake/promote.ts';
import { firingBefore, planBake } from '../../../lib/bake/start.ts';
import type { AlarmView } from '../../../lib/core/ports/alarms.ts';
import type { BakeRecord } from '../../../lib/core/ports/bake-ledger.ts';
import type { ReleaseRecord } from '../../../lib/core/ports/release-ledger.ts';
import {
  ARN,
  bakeOf as bake,
  D,
  OWN_ALARM as OWN,
  BAKE_PREFIX as PREFIX,
  REPO,
  serviceView,
} from '../release/views.ts';

const SERVICE = { name: 'payments-api', id: '8fe1e10304f84fd2b0df550fe98a71fa' };
const CANDIDATE = D('c');
const GOOD = D('a');

const release = (digest: string, over: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  serviceArn: ARN,
  imageIdentifier: `${REPO}:latest`,
  repository: REPO,
  digest,
  time: '2026-11-20T14:03:10Z',
  eventId: 'ev-success',
  ...over,
});
const alarm = (state: AlarmView['state'], stateUpdatedAt?: string): AlarmView => ({
  name: OWN,
  arn: `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${OWN}`,
  state,
  ...(stateUpdatedAt ? { stateUpdatedAt } : {}),
});

describe('readBakeOptIn (the service’s tags)', () => {
  it.each<[string, Record<string, string>, unknown]>([
    ['no tag: no bake', {}, { kind: 'off' }],
    ['empty tag: no bake', { 'apprunner-guard:bake-minutes': ' ' }, { kind: 'off' }],
    [
      'minutes, no alarms: the guard’s default alarm',
      { 'apprunner-guard:bake-minutes': '30' },
      { kind: 'on', minutes: 30, alarms: [OWN], ownAlarm: OWN },
    ],
    [
      'named alarms, trimmed, duplicates dropped: no default alarm',
      { 'apprunner-guard:bake-minutes': '15', 'apprunner-guard:alarms': ' p99 , 5xx,p99,' },
      { kind: 'on', minutes: 15, alarms: ['p99', '5xx'] },
    ],
    [
      'not a number',
      { 'apprunner-guard:bake-minutes': 'half an hour' },
      { kind: 'invalid', reason: expect.stringContaining('bake-minutes') },
    ],
    [
      'zero',
      { 'apprunner-guard:bake-minutes': '0' },
      { kind: 'invalid', reason: expect.stringContaining('1 to 1440') },
    ],
    [
      'more than a day',
      { 'apprunner-guard:bake-minutes': '1441' },
      { kind: 'invalid', reason: expect.any(String) },
    ],
    [
      'an alarm name CloudWatch cannot have',
      { 'apprunner-guard:bake-minutes': '30', 'apprunner-guard:alarms': 'x'.repeat(256) },
      { kind: 'invalid', reason: expect.stringContaining('255') },
    ],
  ])('%s', (_name, tags, expected) => {
    expect(readBakeOptIn(tags, SERVICE, PREFIX)).toEqual(expected);
  });
});

describe('planBake', () => {
  const on = { kind: 'on' as const, minutes: 30, alarms: [OWN], ownAlarm: OWN };
  it('a new digest bakes until bake-minutes after the success', () => {
    expect(planBake(on, release(CANDIDATE), [release(GOOD)])).toEqual({
      kind: 'bake',
      minutes: 30,
      bakeUntil: '2026-11-20T14:33:10.000Z',
      alarms: [OWN],
      ownAlarm: OWN,
    });
  });
  it('a digest already known-good (a pin to it, a redeploy) does not bake again', () => {
    expect(planBake(on, release(GOOD), [release(GOOD)])).toMatchObject({
      kind: 'none',
      note: expect.stringContaining('known-good already'),
    });
  });
  it('a candidate recorded again (a retried event) still bakes', () => {
    expect(planBake(on, release(CANDIDATE), [release(CANDIDATE, { state: 'candidate' })]).kind).toBe('bake');
  });
  it('no opt-in: known-good at once; an unreadable tag says so', () => {
    expect(planBake({ kind: 'off' }, release(CANDIDATE), [])).toEqual({ kind: 'none' });
    expect(planBake({ kind: 'invalid', reason: 'tag x' }, release(CANDIDATE), [])).toMatchObject({
      kind: 'none',
      note: expect.stringContaining('tag x'),
    });
  });
  it('alarms in ALARM since before the deployment started do not blame it; a later one is not among them', () => {
    const started = '2026-11-20T14:00:00Z';
    const before = alarm('ALARM', '2026-11-20T13:00:00Z');
    const after = { ...alarm('ALARM', '2026-11-20T14:01:00Z'), name: 'later' };
    expect(firingBefore([before, after, alarm('OK', '2026-11-20T13:00:00Z')], started)).toEqual([before]);
  });
});

describe('planAlarm (an alarm went to ALARM: what it means for one bake)', () => {
  it.each<[string, Partial<BakeRecord>, string, string]>([
    ['within the bake of the candidate: roll back', {}, '2026-11-20T14:10:00Z', 'rollback'],
    ['during the deployment itself (after it started): roll back', {}, '2026-11-20T14:01:00Z', 'rollback'],
    [
      'entered ALARM before the deployment started (a late event): alert only',
      {},
      '2026-11-20T13:59:00Z',
      'alarm-before-deployment',
    ],
    ['after the window: alert only', {}, '2026-11-20T14:40:00Z', 'alarm-after-promotion'],
    ['after promotion: alert only', { status: 'promoted' }, '2026-11-20T14:20:00Z', 'alarm-after-promotion'],
    [
      'again after the rollback (flapping): alert only',
      { status: 'rolled-back' },
      '2026-11-20T14:20:00Z',
      'already-rolled-back',
    ],
  ])('%s', (_name, over, at, code) => {
    expect(planAlarm(bake(over), { stateChangedAt: at })).toBe(code);
  });
});

describe('planPromotion (the wake-up at the bake’s end)', () => {
  const payload = {
    action: 'promote' as const,
    serviceArn: ARN,
    digest: CANDIDATE,
    bake: 'ev-success',
    scheduledTime: '2026-11-20T14:33:10Z',
  };
  const observed = (over: Partial<ObservedPromotion> = {}): ObservedPromotion => ({
    payload,
    bake: bake(),
    service: serviceView(),
    configuredDigest: CANDIDATE,
    candidate: release(CANDIDATE, { state: 'candidate' }),
    alarms: [alarm('OK')],
    ...over,
  });
  it.each<[string, Partial<ObservedPromotion>, { outcome: string; code: string; publish?: string }]>([
    ['no alarm: promoted', {}, { outcome: 'acted', code: 'promote', publish: 'promoted' }],
    [
      'INSUFFICIENT_DATA (no traffic) is no alarm: promoted',
      { alarms: [alarm('INSUFFICIENT_DATA')] },
      { outcome: 'acted', code: 'promote', publish: 'promoted' },
    ],
    [
      'an alarm in ALARM: not promoted, alerted',
      { alarms: [alarm('ALARM')] },
      { outcome: 'skipped', code: 'alarm-firing', publish: 'not-promoted' },
    ],
    [
      'a newer deployment started its own bake: nothing',
      { bake: bake({ trigger: 'ev-newer', digest: D('d') }) },
      { outcome: 'noop', code: 'superseded' },
    ],
    [
      'rolled back during the bake: nothing',
      { bake: bake({ status: 'rolled-back' }) },
      { outcome: 'noop', code: 'rolled-back' },
    ],
    [
      'already promoted (a replay): nothing',
      { bake: bake({ status: 'promoted' }) },
      { outcome: 'noop', code: 'already-promoted' },
    ],
    ['service deleted: nothing', { service: undefined }, { outcome: 'noop', code: 'deleted' }],
    [
      'the service runs something else now: nothing',
      { configuredDigest: GOOD },
      { outcome: 'noop', code: 'not-running' },
    ],
    [
      'the ledger pruned the candidate: nothing',
      { candidate: undefined },
      { outcome: 'noop', code: 'not-in-ledger' },
    ],
  ])('%s', (_name, over, expected) => {
    const plan = planPromotion(observed(over));
    expect({ outcome: plan.outcome, code: plan.code, publish: plan.publish }).toEqual({
      publish: undefined,
      ...expected,
    });
  });
  it('a release not promoted tells what is left to a human', () => {
    const plan = planPromotion(observed({ alarms: [alarm('ALARM')], bake: bake({ firingAtStart: [OWN] }) }));
    expect(plan.reason).toContain('since before the deployment');
    expect(plan.reason).toContain('guard rollback payments-api');
  });
});
