import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../lib/pause-resume/desired-state.ts';
import { followsSchedule, planService } from '../../../lib/pause-resume/plan.ts';
import { TAGS } from '../../../lib/tags.ts';

const AT = new Date('2026-01-13T19:00:00Z');
const run = { schedule: 'nightly', at: AT };
const PAUSED: DesiredState = { state: 'paused', reason: 'last fire was pause' };
const RUNNING: DesiredState = { state: 'running', reason: 'last fire was resume' };
const UNKNOWN: DesiredState = { state: 'unknown', reason: 'never fired' };
const svc = (status: string, tags: Record<string, string> = {}) => ({
  arn: 'arn:aws:apprunner:us-east-1:111122223333:service/web/0123456789abcdef0123456789abcdef',
  name: 'web',
  status,
  tags: { [TAGS.schedule]: 'nightly', ...tags },
});
const ours = { [TAGS.pausedBy]: 'schedule/nightly@2026-01-12T19:00:00.000Z' };
const theirs = { [TAGS.pausedBy]: 'schedule/other@2026-01-12T19:00:00.000Z' };

describe('planService', () => {
  it.each([
    // [desired, status, tags, action, outcome, reason contains]
    [PAUSED, 'RUNNING', {}, 'pause', 'acted', 'running; desired paused'],
    [PAUSED, 'PAUSED', {}, 'none', 'noop', 'already paused'],
    [PAUSED, 'PAUSED', ours, 'none', 'noop', 'already paused'],
    [PAUSED, 'OPERATION_IN_PROGRESS', {}, 'retry', 'deferred', 'pause once it ends'],
    [PAUSED, 'CREATE_FAILED', {}, 'none', 'skipped', 'status CREATE_FAILED: nothing to pause'],
    [PAUSED, 'DELETE_FAILED', {}, 'none', 'skipped', 'status DELETE_FAILED'],
    [RUNNING, 'PAUSED', ours, 'resume', 'acted', 'paused by this schedule at 2026-01-12T19:00:00.000Z'],
    [RUNNING, 'PAUSED', {}, 'none', 'skipped', 'the guard resumes only what it paused'],
    [RUNNING, 'PAUSED', theirs, 'none', 'skipped', 'paused by schedule "other"'],
    [RUNNING, 'PAUSED', { [TAGS.pausedBy]: 'someone' }, 'none', 'skipped', 'by hand?'],
    [RUNNING, 'RUNNING', {}, 'none', 'noop', 'already running'],
    [RUNNING, 'RUNNING', ours, 'clear-marker', 'noop', 'stale'],
    [RUNNING, 'OPERATION_IN_PROGRESS', ours, 'retry', 'deferred', 'resume once it ends'],
    [RUNNING, 'OPERATION_IN_PROGRESS', {}, 'none', 'noop', 'did not pause it'],
    [RUNNING, 'CREATE_FAILED', {}, 'none', 'skipped', 'nothing to resume'],
    [UNKNOWN, 'RUNNING', {}, 'none', 'noop', 'never fired'],
  ] as const)('desired %o, %s %o → %s/%s', (desired, status, tags, action, outcome, reason) => {
    const d = planService(svc(status, tags), desired, run);
    expect(d).toMatchObject({ action, outcome });
    expect(d.reason).toContain(reason);
  });

  it('never pauses on a resume fire: a service running on an off day was resumed by a human', () => {
    const d = planService(svc('RUNNING'), PAUSED, { ...run, trigger: 'resume' });
    expect(d).toMatchObject({ action: 'none', outcome: 'skipped' });
    expect(d.reason).toContain('a resume fire never pauses');
    expect(planService(svc('RUNNING'), PAUSED, { ...run, trigger: 'pause' })).toMatchObject({
      action: 'pause',
    });
    expect(planService(svc('RUNNING'), PAUSED, { ...run, trigger: 'converge' })).toMatchObject({
      action: 'pause',
    });
  });

  describe('override-until', () => {
    it('leaves a service alone until a future override (relative to the scheduled time)', () => {
      const d = planService(svc('RUNNING', { [TAGS.overrideUntil]: '2026-01-13T22:00:00Z' }), PAUSED, run);
      expect(d).toMatchObject({ action: 'none', outcome: 'skipped' });
      expect(d.reason).toBe('override until 2026-01-13T22:00:00.000Z: the schedule leaves it RUNNING');
    });
    it('keeps a paused service paused while overridden, even if the guard paused it', () => {
      const d = planService(svc('PAUSED', { ...ours, [TAGS.overrideUntil]: '2026-01-20' }), RUNNING, run);
      expect(d).toMatchObject({ action: 'none', outcome: 'skipped' });
    });
    it('ignores an expired override and says so', () => {
      const d = planService(svc('RUNNING', { [TAGS.overrideUntil]: '2026-01-13T18:59:59Z' }), PAUSED, run);
      expect(d).toMatchObject({ action: 'pause', outcome: 'acted' });
      expect(d.notes).toEqual(['override expired at 2026-01-13T18:59:59.000Z']);
      expect(d.reason).toContain('(override expired at 2026-01-13T18:59:59.000Z)');
    });
    it('ignores an override that expires exactly at the scheduled time', () => {
      const d = planService(svc('RUNNING', { [TAGS.overrideUntil]: AT.toISOString() }), PAUSED, run);
      expect(d.action).toBe('pause');
    });
    it('ignores and reports an invalid override', () => {
      const d = planService(svc('RUNNING', { [TAGS.overrideUntil]: 'tomorrow' }), PAUSED, run);
      expect(d.action).toBe('pause');
      expect(d.notes).toEqual([`ignored ${TAGS.overrideUntil}="tomorrow": not an ISO-8601 time`]);
    });
  });
});

describe('followsSchedule', () => {
  it.each([
    [{ [TAGS.schedule]: 'nightly' }, true],
    [{ [TAGS.schedule]: ' nightly ' }, true],
    [{ [TAGS.schedule]: 'Nightly' }, false],
    [{ [TAGS.schedule]: 'nightly-eu' }, false],
    [{}, false],
    [{ schedule: 'nightly' }, false],
  ])('%o → %s', (tags, expected) => {
    expect(followsSchedule(tags, 'nightly')).toBe(expected);
  });
});
