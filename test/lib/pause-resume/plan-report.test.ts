import { describe, expect, it } from 'vitest';
import type { ObservedService } from '../../../lib/pause-resume/plan.ts';
import { formatFleetPlan, planSchedules } from '../../../lib/pause-resume/plan-report.ts';
import type { ScheduleDefinition } from '../../../lib/pause-resume/schedule-config.ts';
import { TAGS } from '../../../lib/tags.ts';

const def: ScheduleDefinition = {
  name: 'office',
  timezone: 'America/New_York',
  pause: 'cron(0 19 * * ? *)',
  resume: 'cron(0 8 * * ? *)',
  skipDates: [],
  weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
  enabled: true,
};
const fleet: ObservedService[] = [
  { arn: 'a', name: 'web', status: 'RUNNING', tags: { [TAGS.schedule]: 'office' } },
  { arn: 'b', name: 'prod', status: 'RUNNING', tags: {} },
  { arn: 'c', name: 'typo', status: 'RUNNING', tags: { [TAGS.schedule]: 'ofice' } },
];

describe('planSchedules / formatFleetPlan', () => {
  it('explains every decision for the services on each schedule, and flags unknown schedule tags', () => {
    // Friday 2026-01-16 19:00 New York (EST) = 2026-01-17T00:00Z
    const plan = planSchedules([def], fleet, new Date('2026-01-17T00:00:00Z'));
    expect(plan.plans[0]!.decisions.map((d) => [d.name, d.action])).toEqual([['web', 'pause']]);
    // Next effective resume skips the weekend.
    expect(plan.plans[0]!.nextResume?.toISOString()).toBe('2026-01-19T13:00:00.000Z');
    expect(plan.unknownSchedules).toEqual([{ service: 'typo', schedule: 'ofice' }]);
    const text = formatFleetPlan(plan);
    expect(text).toContain('Schedule office (America/New_York) at 2026-01-16 19:00 America/New_York');
    // No ARN here (an offline fleet): no account or region to name.
    expect(text).toMatch(/web\s+-\s+RUNNING\s+pause\s+acted\s+running; desired paused/);
    expect(text).toContain('next resume: 2026-01-19 08:00 America/New_York');
    expect(text).toContain(
      'typo is tagged apprunner-guard:schedule=ofice, which is not a configured schedule',
    );
    expect(text).not.toContain('prod');
  });

  it("names each service's account and region, and the places read", () => {
    const arn = 'arn:aws:apprunner:eu-west-1:222233334444:service/web-shop/0123456789abcdef0123456789abcdef';
    const plan = planSchedules(
      [def],
      [{ arn, name: 'web-shop', status: 'RUNNING', tags: { [TAGS.schedule]: 'office' } }],
      new Date('2026-01-17T00:00:00Z'),
    );
    const text = formatFleetPlan({ ...plan, read: ['111122223333/us-east-1', '222233334444/eu-west-1'] });
    expect(text).toContain('Read the services of 111122223333/us-east-1, 222233334444/eu-west-1');
    expect(text).toMatch(/web-shop\s+222233334444\/eu-west-1\s+RUNNING\s+pause/);
  });

  it('limits the plan to one schedule', () => {
    expect(
      planSchedules([def, { ...def, name: 'other' }], fleet, new Date(), 'other').plans.map(
        (p) => p.schedule.name,
      ),
    ).toEqual(['other']);
  });
});
