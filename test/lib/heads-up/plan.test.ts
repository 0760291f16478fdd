import { describe, expect, it } from 'vitest';
import { headsUpExpression, planHeadsUp } from '../../../lib/heads-up/plan.ts';
import type { ScheduleSpec } from '../../../lib/pause-resume/schedule-spec.ts';
import { TAGS } from '../../../lib/tags.ts';

const spec: ScheduleSpec = {
  timezone: 'Europe/Berlin',
  pause: 'cron(0 20 * * ? *)',
  resume: 'cron(0 7 * * ? *)',
  skipDates: [],
  weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
};
const arn = (name: string) =>
  `arn:aws:apprunner:eu-west-1:111122223333:service/${name}/0123456789abcdef0123456789abcdef`;
const service = (name: string, status = 'RUNNING', tags: Record<string, string> = {}) => ({
  arn: arn(name),
  name,
  status,
  tags: { [TAGS.schedule]: 'office-hours', ...tags },
});
// Thursday 2026-11-19, 19:45 Berlin (18:45 UTC): the 20:00 pause is 15 minutes away.
const AT = new Date('2026-11-19T18:45:00Z');

describe('planHeadsUp', () => {
  it('lists the running services the pause would stop, with the next resume as Keep running until…', () => {
    const plan = planHeadsUp(spec, 'office-hours', AT, 15, [
      service('staging-web'),
      service('staging-api', 'PAUSED'),
      service('staging-db', 'RUNNING', { [TAGS.overrideUntil]: '2026-11-19T22:00:00Z' }),
    ]);
    expect(plan).toMatchObject({
      action: 'announce',
      pauseAt: new Date('2026-11-19T19:00:00Z'),
      keepRunningUntil: new Date('2026-11-20T06:00:00Z'),
      services: [{ name: 'staging-web', arn: arn('staging-web') }],
    });
  });

  it('announces nothing outside the lead time window, or when nothing would be paused', () => {
    expect(
      planHeadsUp(spec, 'office-hours', new Date('2026-11-19T18:30:00Z'), 15, [service('a-web')]),
    ).toMatchObject({
      action: 'none',
      reason: expect.stringContaining('not 15 minutes away'),
    });
    // A poll 5 minutes later (10 minutes before) is outside the window: one heads-up per fire.
    expect(
      planHeadsUp(spec, 'office-hours', new Date('2026-11-19T18:50:00Z'), 15, [service('a-web')]).action,
    ).toBe('none');
    expect(planHeadsUp(spec, 'office-hours', AT, 15, [service('a-web', 'PAUSED')])).toMatchObject({
      action: 'none',
      reason: expect.stringContaining('no running service'),
    });
  });
});

describe('headsUpExpression', () => {
  it('moves a plain pause cron earlier by the lead time', () => {
    expect(headsUpExpression('cron(0 20 * * ? *)', 15)).toBe('cron(45 19 * * ? *)');
    expect(headsUpExpression('cron(30 18 ? * MON-FRI *)', 90)).toBe('cron(0 17 ? * MON-FRI *)');
  });

  it('polls every five minutes when the move would cross midnight or the cron has lists', () => {
    expect(headsUpExpression('cron(5 0 * * ? *)', 15)).toBe('cron(0/5 * * * ? *)');
    expect(headsUpExpression('cron(0 18,20 * * ? *)', 15)).toBe('cron(0/5 * * * ? *)');
  });
});
