import { describe, expect, it } from 'vitest';
import { planManual } from '../../../lib/pause-resume/manual.ts';
import type { ScheduleDefinition } from '../../../lib/pause-resume/schedule-config.ts';
import { TAGS } from '../../../lib/tags.ts';

const NOW = new Date('2026-01-13T21:00:00Z'); // 22:00 Berlin, Tuesday: the schedule wants paused
const nightly: ScheduleDefinition = {
  name: 'nightly',
  timezone: 'Europe/Berlin',
  pause: 'cron(0 20 * * ? *)',
  resume: 'cron(0 7 * * ? *)',
  skipDates: [],
  enabled: true,
};
const svc = (status: string, tags: Record<string, string> = {}) => ({
  arn: 'arn:x',
  name: 'web',
  status,
  tags,
});
const lastAction = { [TAGS.lastAction]: `resume by hand (guard CLI)@${NOW.toISOString()}` };

describe('planManual', () => {
  it.each([
    ['pause', 'OPERATION_IN_PROGRESS', 'refuse', 'operation in progress'],
    ['resume', 'OPERATION_IN_PROGRESS', 'refuse', 'operation in progress'],
    ['pause', 'CREATE_FAILED', 'refuse', 'only a RUNNING service can be paused'],
    ['resume', 'CREATE_FAILED', 'refuse', 'only a PAUSED service can be resumed'],
    ['pause', 'PAUSED', 'nothing', 'already paused'],
    ['resume', 'RUNNING', 'nothing', 'already running'],
  ] as const)('%s a %s service → %s', (action, status, verdict, message) => {
    const p = planManual(action, svc(status), [nightly], NOW);
    expect(p.verdict).toBe(verdict);
    expect(p.message).toContain(message);
    expect(p.steps).toEqual([]);
  });

  it('pauses by hand without the paused-by marker, and warns that the schedule will not resume it', () => {
    const p = planManual('pause', svc('RUNNING', { [TAGS.schedule]: 'nightly' }), [nightly], NOW);
    expect(p.steps).toEqual([
      { call: 'tag', tags: { [TAGS.lastAction]: `pause by hand (guard CLI)@${NOW.toISOString()}` } },
      { call: 'pause' },
    ]);
    expect(p.warnings[0]).toContain('the schedule will NOT resume it');
  });

  it('resumes a guard-paused service and removes the marker', () => {
    const p = planManual(
      'resume',
      svc('PAUSED', { [TAGS.pausedBy]: 'schedule/nightly@2026-01-13T19:00:00.000Z' }),
      [],
      NOW,
    );
    expect(p.steps).toEqual([
      { call: 'resume' },
      { call: 'untag', keys: [TAGS.pausedBy] },
      { call: 'tag', tags: lastAction },
    ]);
    expect(p.warnings).toEqual([]);
  });

  it('resumes a hand-paused service because a human asked, with a warning', () => {
    const p = planManual('resume', svc('PAUSED'), [], NOW);
    expect(p.verdict).toBe('act');
    expect(p.warnings).toEqual([expect.stringContaining('was not paused by the guard')]);
  });

  it('warns when the schedule wants it paused and will pause it again', () => {
    const tags = { [TAGS.schedule]: 'nightly', [TAGS.pausedBy]: 'schedule/nightly@2026-01-13T19:00:00.000Z' };
    const p = planManual('resume', svc('PAUSED', tags), [nightly], NOW);
    expect(p.warnings).toEqual([
      expect.stringContaining('it will pause it again at 2026-01-14 20:00 Europe/Berlin'),
    ]);
  });

  it('--until sets the override before resuming, so the schedule leaves it running', () => {
    const until = new Date('2026-01-14T23:00:00Z');
    const p = planManual('resume', svc('PAUSED', { [TAGS.schedule]: 'nightly' }), [nightly], NOW, { until });
    expect(p.steps[0]).toEqual({ call: 'tag', tags: { [TAGS.overrideUntil]: '2026-01-14T23:00:00.000Z' } });
    expect(p.warnings.some((w) => w.includes('pause it again'))).toBe(false);
    expect(
      planManual('resume', svc('PAUSED'), [], NOW, { until: new Date('2026-01-01T00:00:00Z') }).verdict,
    ).toBe('refuse');
  });

  describe('--until wakes the guard at the override end when the schedule wants the service paused then', () => {
    const until = new Date('2026-01-13T22:00:00Z'); // 23:00 Berlin, Tuesday: paused
    const tags = { [TAGS.schedule]: 'nightly' };

    it('resuming a paused service: the override, the resume, then the wake-up', () => {
      const p = planManual('resume', svc('PAUSED', tags), [nightly], NOW, { until });
      expect(p.verdict).toBe('act');
      expect(p.wake).toMatchObject({
        job: 'pause-resume',
        at: until,
        payload: { action: 'converge', schedule: 'nightly', services: ['arn:x'] },
      });
      expect(p.wakeNote).toContain('the guard wakes then and pauses it');
    });

    it('a service resumed by hand earlier: --until sets the override (nothing else) and the wake-up', () => {
      const p = planManual('resume', svc('RUNNING', tags), [nightly], NOW, { until });
      expect(p.verdict).toBe('act');
      expect(p.message).toBe('keep web running until 2026-01-13T22:00:00.000Z');
      expect(p.steps).toEqual([
        { call: 'tag', tags: { [TAGS.overrideUntil]: '2026-01-13T22:00:00.000Z', ...lastAction } },
      ]);
      expect(p.wake?.at).toEqual(until);
    });

    it('no wake-up when the schedule wants it running at the end, or the service follows no schedule', () => {
      const morning = new Date('2026-01-14T08:00:00Z');
      expect(
        planManual('resume', svc('PAUSED', tags), [nightly], NOW, { until: morning }).wake,
      ).toBeUndefined();
      expect(planManual('resume', svc('PAUSED'), [nightly], NOW, { until }).wake).toBeUndefined();
    });

    it('a schedule missing from the file: no wake-up, and a warning saying so', () => {
      const p = planManual('resume', svc('PAUSED', tags), [], NOW, { until });
      expect(p.wake).toBeUndefined();
      expect(p.warnings).toEqual(expect.arrayContaining([expect.stringContaining('nothing wakes it then')]));
    });
  });
});
