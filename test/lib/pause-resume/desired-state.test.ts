import { describe, expect, it } from 'vitest';
import { desiredStateAt } from '../../../lib/pause-resume/desired-state.ts';
import type { ScheduleSpec } from '../../../lib/pause-resume/schedule-spec.ts';

const spec = (over: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  timezone: 'Europe/Berlin',
  pause: 'cron(0 20 * * ? *)',
  resume: 'cron(0 7 * * ? *)',
  skipDates: [],
  ...over,
});
const at = (iso: string) => new Date(iso);
const stateOf = (s: ScheduleSpec, iso: string) => desiredStateAt(s, at(iso)).state;

describe('desiredStateAt', () => {
  it.each([
    // Berlin winter (UTC+1): resume 07:00 = 06:00Z, pause 20:00 = 19:00Z.
    ['2026-01-13T05:59:59Z', 'paused'],
    ['2026-01-13T06:00:00Z', 'running'],
    ['2026-01-13T18:59:59Z', 'running'],
    ['2026-01-13T19:00:00Z', 'paused'],
    // Berlin summer (UTC+2): 07:00 = 05:00Z.
    ['2026-07-14T05:00:00Z', 'running'],
    ['2026-07-14T04:59:00Z', 'paused'],
    ['2026-07-14T18:00:00Z', 'paused'],
  ])('Berlin nightly schedule at %s → %s', (iso, expected) => {
    expect(stateOf(spec(), iso)).toBe(expected);
  });

  it('explains the decision with the local time of the fire that made it', () => {
    expect(desiredStateAt(spec(), at('2026-01-13T10:00:00Z'))).toEqual({
      state: 'running',
      reason: 'last fire was resume at 2026-01-13 07:00 Europe/Berlin (cron(0 7 * * ? *))',
      since: at('2026-01-13T06:00:00Z'),
    });
  });

  describe('across DST changes', () => {
    it('Berlin spring forward (2026-03-29): 07:00 CEST is 05:00Z, and 06:30Z is running', () => {
      expect(stateOf(spec(), '2026-03-29T04:59:00Z')).toBe('paused');
      expect(stateOf(spec(), '2026-03-29T05:00:00Z')).toBe('running');
      expect(stateOf(spec(), '2026-03-28T06:00:00Z')).toBe('running'); // the day before: 07:00 CET
    });
    it('Berlin fall back (2026-10-25): 07:00 CET is 06:00Z', () => {
      expect(stateOf(spec(), '2026-10-25T05:30:00Z')).toBe('paused');
      expect(stateOf(spec(), '2026-10-25T06:00:00Z')).toBe('running');
    });
    it('New York: pause at 01:30 on the fall-back night happens once, at the EDT occurrence', () => {
      const s = spec({
        timezone: 'America/New_York',
        pause: 'cron(30 1 * * ? *)',
        resume: 'cron(0 1 * * ? *)',
      });
      expect(stateOf(s, '2026-11-01T05:29:00Z')).toBe('running'); // 01:29 EDT
      expect(stateOf(s, '2026-11-01T05:30:00Z')).toBe('paused'); // 01:30 EDT
      // 01:00 EST (06:00Z) is the repeat of an already-fired 01:00: no second resume.
      expect(stateOf(s, '2026-11-01T06:10:00Z')).toBe('paused');
    });
    it('a pause time skipped by spring forward does not happen that night (New York 02:30)', () => {
      const s = spec({
        timezone: 'America/New_York',
        pause: 'cron(30 2 * * ? *)',
        resume: 'cron(0 7 * * ? *)',
      });
      expect(stateOf(s, '2026-03-08T07:45:00Z')).toBe('running'); // 03:45 EDT, 02:30 never existed
      expect(stateOf(s, '2026-03-09T06:30:00Z')).toBe('paused'); // 02:30 EDT the next night
    });
    it('Sydney (southern hemisphere) across the April change', () => {
      const s = spec({
        timezone: 'Australia/Sydney',
        pause: 'cron(0 19 * * ? *)',
        resume: 'cron(0 8 * * ? *)',
      });
      expect(stateOf(s, '2026-04-04T07:59:00Z')).toBe('running'); // 18:59 AEDT
      expect(stateOf(s, '2026-04-04T08:00:00Z')).toBe('paused'); // 19:00 AEDT
      expect(stateOf(s, '2026-04-05T21:59:00Z')).toBe('paused'); // 07:59 AEST Monday
      expect(stateOf(s, '2026-04-05T22:00:00Z')).toBe('running'); // 08:00 AEST
    });
  });

  describe('skip dates and weekdays, in the schedule’s zone', () => {
    it('a skip date in Asia/Tokyo starts at 15:00Z the day before (23:30 UTC is already that date)', () => {
      const s = spec({
        timezone: 'Asia/Tokyo',
        pause: 'cron(0 23 * * ? *)',
        resume: 'cron(30 8 * * ? *)',
        skipDates: ['2026-01-02'],
      });
      // 2026-01-01T23:30Z is 2026-01-02 08:30 JST: the resume fires on a skip date.
      const d = desiredStateAt(s, at('2026-01-01T23:30:00Z'));
      expect(d.state).toBe('paused');
      expect(d.reason).toBe('2026-01-02 is a skip date in Asia/Tokyo: services stay paused all day');
      // In UTC the same instant is still January 1st: a UTC evaluation would have resumed.
      expect(stateOf({ ...s, timezone: 'UTC' }, '2026-01-02T08:30:00Z')).toBe('paused');
      expect(stateOf(s, '2026-01-02T23:30:00Z')).toBe('running'); // 2026-01-03 08:30 JST
    });
    it('the day after a skip date stays paused until its resume time', () => {
      const s = spec({ skipDates: ['2026-12-25'] });
      expect(stateOf(s, '2026-12-25T12:00:00Z')).toBe('paused');
      expect(stateOf(s, '2026-12-26T05:00:00Z')).toBe('paused'); // 06:00 CET, before resume
      expect(stateOf(s, '2026-12-26T06:00:00Z')).toBe('running');
    });
    it('weekdays keep services paused over the weekend and a Monday resume brings them back', () => {
      const s = spec({ weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'] });
      expect(stateOf(s, '2026-01-16T18:00:00Z')).toBe('running'); // Fri 19:00
      expect(stateOf(s, '2026-01-17T10:00:00Z')).toBe('paused'); // Sat
      expect(desiredStateAt(s, at('2026-01-18T10:00:00Z')).reason).toContain(
        'SUN 2026-01-18 is not one of the schedule',
      );
      expect(stateOf(s, '2026-01-19T05:59:00Z')).toBe('paused'); // Mon 06:59
      expect(stateOf(s, '2026-01-19T06:00:00Z')).toBe('running'); // Mon 07:00
    });
    it('a resume that fell on an off day does not count: the earlier pause holds', () => {
      // Pause only on Friday evenings, resume daily: the Saturday/Sunday resumes are off days.
      const s = spec({
        pause: 'cron(0 20 ? * FRI *)',
        weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
        skipDates: ['2026-01-19'],
      });
      expect(stateOf(s, '2026-01-20T05:00:00Z')).toBe('paused'); // Tue 06:00 after a skipped Monday
      expect(stateOf(s, '2026-01-20T06:00:00Z')).toBe('running');
    });
  });

  it('is unknown before either time ever fired', () => {
    const s = spec({ pause: 'cron(0 20 * * ? 2030)', resume: 'cron(0 7 * * ? 2030)' });
    expect(desiredStateAt(s, at('2026-01-13T10:00:00Z')).state).toBe('unknown');
  });

  it('pause wins when pause and resume fire at the same instant', () => {
    const s = spec({ pause: 'cron(0 7 ? * MON *)', resume: 'cron(0 7 * * ? *)' });
    expect(stateOf(s, '2026-01-12T06:00:00Z')).toBe('paused');
  });
});
