import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSchedulerGateway, createWakeUps } from '../../../lib/aws/scheduler.ts';
import { wakeUpName } from '../../../lib/core/ports/wake-ups.ts';
import { sdkError } from '../../support/sdk-errors.ts';

const scheduler = mockClient(SchedulerClient);
afterEach(() => scheduler.reset());

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const NOTIFY_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:apprunner-guard-notify';

function wakeUps(warnings: unknown[] = []) {
  const port = createSchedulerGateway(new SchedulerClient({}), {
    group: 'apprunner-guard',
    roleArn: 'arn:aws:iam::111122223333:role/scheduler',
  });
  return createWakeUps(port, {
    targets: { notify: NOTIFY_ARN },
    now: () => NOW,
    logger: { warn: (message, extra) => warnings.push({ message, ...extra }) },
  });
}

describe('wake-ups on one-time schedules', () => {
  it('creates a one-time schedule for the job, deleted after it runs, in the guard group', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const out = await wakeUps().wakeAt({
      job: 'notify',
      at: new Date('2026-11-30T12:15:00Z'),
      payload: { action: 'flush-storms', scheduledTime: '<aws.scheduler.scheduled-time>' },
      key: 'storm.abc',
    });
    expect(out).toEqual({
      name: 'notify-storm.abc',
      at: new Date('2026-11-30T12:15:00Z'),
      created: true,
      clamped: false,
    });
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      Name: 'notify-storm.abc',
      GroupName: 'apprunner-guard',
      ScheduleExpression: 'at(2026-11-30T12:15:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: NOTIFY_ARN },
    });
    expect(JSON.parse(input.Target!.Input!)).toEqual({
      action: 'flush-storms',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('moves a time in the past (or under a minute ahead) to a minute from now, and logs it', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    const warnings: unknown[] = [];
    for (const at of ['2026-11-30T11:40:00Z', '2026-11-30T12:00:30Z']) {
      const out = await wakeUps(warnings).wakeAt({ job: 'notify', at: new Date(at), payload: {}, key: 'k' });
      expect(out.clamped).toBe(true);
      expect(out.at.toISOString()).toBe('2026-11-30T12:01:00.000Z');
    }
    const expressions = scheduler
      .commandCalls(CreateScheduleCommand)
      .map((c) => c.args[0].input.ScheduleExpression);
    expect(expressions).toEqual(['at(2026-11-30T12:01:00)', 'at(2026-11-30T12:01:00)']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({
      requestedAt: '2026-11-30T11:40:00.000Z',
      at: '2026-11-30T12:01:00.000Z',
    });
  });

  it('a duplicate request (the schedule exists: ConflictException) is a no-op', async () => {
    scheduler.on(CreateScheduleCommand).rejects(sdkError('ConflictException', 'exists', { status: 409 }));
    const out = await wakeUps().wakeAt({
      job: 'notify',
      at: new Date('2026-11-30T13:00:00Z'),
      payload: {},
      key: 'k',
    });
    expect(out).toMatchObject({ name: 'notify-k', created: false });
  });

  it('a job with no configured function cannot be woken', async () => {
    await expect(
      wakeUps().wakeAt({ job: 'cleanup', at: new Date('2026-11-30T13:00:00Z'), payload: {}, key: 'k' }),
    ).rejects.toThrow(/no function configured to wake the cleanup job/);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });
});

describe('wakeUpName', () => {
  it('is job + key when the key is a valid, short schedule name', () => {
    expect(wakeUpName('pause-resume', 'override-end.0123abcd')).toBe('pause-resume-override-end.0123abcd');
  });

  it('is deterministic, valid and distinct for long or unusual keys', () => {
    const a = wakeUpName('cleanup', `retry:${'x'.repeat(100)}`);
    const b = wakeUpName('cleanup', `retry/${'x'.repeat(100)}`);
    expect(a).toBe(wakeUpName('cleanup', `retry:${'x'.repeat(100)}`));
    expect(a).not.toBe(b);
    for (const name of [a, b]) expect(name).toMatch(/^cleanup-[0-9A-Za-z_.-]+$/);
    expect(Math.max(a.length, b.length)).toBeLessThanOrEqual(64);
  });
});
