import { describe, expect, it } from 'vitest';
import {
  fireTimesBetween,
  nextFireTime,
  parseScheduleExpression,
  previousFireTime,
  ScheduleExpressionError,
} from '../../../lib/schedule/cron.ts';

const d = (iso: string) => new Date(iso);
const next = (expr: string, tz: string, after: string) => nextFireTime(expr, tz, d(after))?.toISOString();
const prev = (expr: string, tz: string, at: string) => previousFireTime(expr, tz, d(at))?.toISOString();

describe('nextFireTime: cron in a time zone', () => {
  it.each([
    // [expression, zone, after, expected]
    ['cron(0 20 ? * MON-FRI *)', 'Europe/Berlin', '2025-01-06T12:00:00Z', '2025-01-06T19:00:00.000Z'],
    ['cron(0 20 ? * MON-FRI *)', 'Europe/Berlin', '2025-01-06T19:00:00Z', '2025-01-07T19:00:00.000Z'],
    ['cron(0 20 ? * MON-FRI *)', 'Europe/Berlin', '2025-01-10T19:00:00Z', '2025-01-13T19:00:00.000Z'],
    ['cron(0 20 ? * MON-FRI *)', 'Europe/Berlin', '2025-07-07T12:00:00Z', '2025-07-07T18:00:00.000Z'],
    ['cron(0 7 ? * 2-6 *)', 'America/New_York', '2025-01-04T00:00:00Z', '2025-01-06T12:00:00.000Z'],
    ['cron(0 7 * * ? *)', 'UTC', '2025-01-01T06:59:59.999Z', '2025-01-01T07:00:00.000Z'],
    ['cron(0 7 * * ? *)', 'UTC', '2025-01-01T07:00:00.000Z', '2025-01-02T07:00:00.000Z'],
    ['cron(0 7 * * ? *)', 'UTC', '2025-01-01T07:00:00.001Z', '2025-01-02T07:00:00.000Z'],
    ['cron(0/15 * * * ? *)', 'UTC', '2025-01-01T07:07:00Z', '2025-01-01T07:15:00.000Z'],
    ['cron(*/20 9-10 * * ? *)', 'UTC', '2025-01-01T10:41:00Z', '2025-01-02T09:00:00.000Z'],
    ['cron(5,35 8 * * ? *)', 'UTC', '2025-01-01T08:10:00Z', '2025-01-01T08:35:00.000Z'],
    ['cron(0 0 1 JAN,jul ? *)', 'UTC', '2025-02-01T00:00:00Z', '2025-07-01T00:00:00.000Z'],
    ['cron(0 9 ? * 2#1 *)', 'Asia/Tokyo', '2025-01-01T00:00:00Z', '2025-01-06T00:00:00.000Z'],
  ])('%s in %s after %s → %s', (expr, tz, after, expected) => {
    expect(next(expr, tz, after)).toBe(expected);
  });

  it('interprets day-of-week 1 as Sunday and 7 as Saturday', () => {
    expect(next('cron(0 12 ? * 1 *)', 'UTC', '2025-01-01T00:00:00Z')).toBe('2025-01-05T12:00:00.000Z');
    expect(next('cron(0 12 ? * 7 *)', 'UTC', '2025-01-01T00:00:00Z')).toBe('2025-01-04T12:00:00.000Z');
    expect(next('cron(0 12 ? * SUN *)', 'UTC', '2025-01-01T00:00:00Z')).toBe('2025-01-05T12:00:00.000Z');
  });

  it('uses the zone’s calendar, not UTC’s, for the day (Tokyo is already Tuesday at 23:30 UTC Monday)', () => {
    expect(next('cron(30 8 ? * TUE *)', 'Asia/Tokyo', '2025-01-06T23:00:00Z')).toBe(
      '2025-01-06T23:30:00.000Z',
    );
    expect(next('cron(30 8 ? * TUE *)', 'UTC', '2025-01-06T23:00:00Z')).toBe('2025-01-07T08:30:00.000Z');
  });
});

describe('nextFireTime across daylight saving transitions', () => {
  describe('Europe/Berlin', () => {
    it('skips a time that does not exist when clocks go forward (2025-03-30 02:00 → 03:00)', () => {
      expect(next('cron(30 2 * * ? *)', 'Europe/Berlin', '2025-03-29T02:00:00Z')).toBe(
        '2025-03-31T00:30:00.000Z',
      );
    });
    it('keeps the wall time across the spring transition (20:00 CET → 20:00 CEST)', () => {
      expect(next('cron(0 20 * * ? *)', 'Europe/Berlin', '2025-03-29T20:00:00Z')).toBe(
        '2025-03-30T18:00:00.000Z',
      );
      expect(next('cron(0 7 * * ? *)', 'Europe/Berlin', '2025-03-29T20:00:00Z')).toBe(
        '2025-03-30T05:00:00.000Z',
      );
    });
    it('fires once, at the first occurrence, for a time that repeats when clocks go back (2025-10-26)', () => {
      expect(next('cron(30 2 * * ? *)', 'Europe/Berlin', '2025-10-25T12:00:00Z')).toBe(
        '2025-10-26T00:30:00.000Z',
      );
      expect(next('cron(30 2 * * ? *)', 'Europe/Berlin', '2025-10-26T00:30:00Z')).toBe(
        '2025-10-27T01:30:00.000Z',
      );
      // Asked during the repeated hour, after the first occurrence: no second fire.
      expect(next('cron(30 2 * * ? *)', 'Europe/Berlin', '2025-10-26T01:10:00Z')).toBe(
        '2025-10-27T01:30:00.000Z',
      );
    });
    it('fires an every-15-minutes cron once per wall time through the repeated hour', () => {
      const fires = fireTimesBetween(
        'cron(0/15 * * * ? *)',
        'Europe/Berlin',
        d('2025-10-26T00:40:00Z'),
        d('2025-10-26T02:10:00Z'),
      );
      expect(fires.map((f) => f.toISOString())).toEqual([
        '2025-10-26T00:45:00.000Z', // 02:45 CEST
        '2025-10-26T02:00:00.000Z', // 03:00 CET (02:00–02:45 CET are repeats, not fired again)
      ]);
    });
  });

  describe('America/New_York', () => {
    it('skips 02:30 on 2025-03-09 and keeps 07:00 local after the change', () => {
      expect(next('cron(30 2 * * ? *)', 'America/New_York', '2025-03-08T08:00:00Z')).toBe(
        '2025-03-10T06:30:00.000Z',
      );
      expect(next('cron(0 7 * * ? *)', 'America/New_York', '2025-03-08T13:00:00Z')).toBe(
        '2025-03-09T11:00:00.000Z',
      );
    });
    it('fires 01:30 once on 2025-11-02 (EDT occurrence) and 20:00 EST afterwards', () => {
      expect(next('cron(30 1 * * ? *)', 'America/New_York', '2025-11-01T12:00:00Z')).toBe(
        '2025-11-02T05:30:00.000Z',
      );
      expect(next('cron(30 1 * * ? *)', 'America/New_York', '2025-11-02T05:30:00Z')).toBe(
        '2025-11-03T06:30:00.000Z',
      );
      expect(next('cron(0 20 * * ? *)', 'America/New_York', '2025-11-01T12:00:00Z')).toBe(
        '2025-11-02T00:00:00.000Z',
      );
      expect(next('cron(0 20 * * ? *)', 'America/New_York', '2025-11-02T00:00:00Z')).toBe(
        '2025-11-03T01:00:00.000Z',
      );
    });
  });

  describe('Australia/Sydney (southern hemisphere)', () => {
    it('repeats 02:00–03:00 when daylight time ends in April: 02:30 fires once', () => {
      expect(next('cron(30 2 * * ? *)', 'Australia/Sydney', '2025-04-05T12:00:00Z')).toBe(
        '2025-04-05T15:30:00.000Z',
      );
      expect(next('cron(30 2 * * ? *)', 'Australia/Sydney', '2025-04-05T15:30:00Z')).toBe(
        '2025-04-06T16:30:00.000Z',
      );
    });
    it('skips 02:30 when daylight time starts in October', () => {
      expect(next('cron(30 2 * * ? *)', 'Australia/Sydney', '2025-10-04T12:00:00Z')).toBe(
        '2025-10-05T15:30:00.000Z',
      );
    });
    it('pauses at 19:00 local across the October change', () => {
      expect(next('cron(0 19 * * ? *)', 'Australia/Sydney', '2025-10-04T09:00:00Z')).toBe(
        '2025-10-05T08:00:00.000Z',
      );
    });
  });
});

describe('nextFireTime: month ends, leap days, L W #', () => {
  it.each([
    ['cron(0 0 L * ? *)', '2025-02-01T00:00:00Z', '2025-02-28T00:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2024-02-01T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['cron(0 0 L-1 * ? *)', '2025-04-01T00:00:00Z', '2025-04-29T00:00:00.000Z'],
    ['cron(0 0 31 * ? *)', '2025-04-01T00:00:00Z', '2025-05-31T00:00:00.000Z'],
    ['cron(0 12 29 2 ? *)', '2025-01-01T00:00:00Z', '2028-02-29T12:00:00.000Z'],
    ['cron(0 12 29 2 ? 2097-2199)', '2097-01-01T00:00:00Z', '2104-02-29T12:00:00.000Z'],
    // 2025-03-01 is a Saturday: 1W is Monday the 3rd (never jumps back into February).
    ['cron(0 0 1W * ? *)', '2025-02-28T00:00:00Z', '2025-03-03T00:00:00.000Z'],
    // 2025-06-15 is a Sunday: 15W is Monday the 16th; 2025-11-15 is a Saturday: Friday the 14th.
    ['cron(0 0 15W * ? *)', '2025-06-01T00:00:00Z', '2025-06-16T00:00:00.000Z'],
    ['cron(0 0 15W * ? *)', '2025-11-01T00:00:00Z', '2025-11-14T00:00:00.000Z'],
    // 2025-08-31 is a Sunday: the last weekday of August is Friday the 29th.
    ['cron(0 0 LW * ? *)', '2025-08-01T00:00:00Z', '2025-08-29T00:00:00.000Z'],
    ['cron(0 0 ? * 6L *)', '2025-01-01T00:00:00Z', '2025-01-31T00:00:00.000Z'],
    ['cron(0 0 ? * L *)', '2025-01-01T00:00:00Z', '2025-01-04T00:00:00.000Z'],
    ['cron(0 0 ? * 3#2 *)', '2025-01-01T00:00:00Z', '2025-01-14T00:00:00.000Z'],
    ['cron(0 0 ? * MON#5 *)', '2025-01-01T00:00:00Z', '2025-03-31T00:00:00.000Z'],
  ])('%s after %s → %s', (expr, after, expected) => {
    expect(next(expr, 'UTC', after)).toBe(expected);
  });

  it('evaluates the last day of the month in the zone, not in UTC', () => {
    // 2025-01-31 00:00 in Auckland is 2025-01-30T11:00Z.
    expect(next('cron(0 0 L * ? *)', 'Pacific/Auckland', '2025-01-15T00:00:00Z')).toBe(
      '2025-01-30T11:00:00.000Z',
    );
  });

  it('returns undefined once the years run out', () => {
    expect(next('cron(0 0 1 1 ? 2025)', 'UTC', '2025-06-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 30 2 ? *)', 'UTC', '2025-06-01T00:00:00Z')).toBeUndefined();
  });
});

describe('previousFireTime', () => {
  it.each([
    ['cron(0 20 ? * MON-FRI *)', 'Europe/Berlin', '2025-01-11T10:00:00Z', '2025-01-10T19:00:00.000Z'],
    ['cron(0 20 ? * MON-FRI *)', 'Europe/Berlin', '2025-01-10T19:00:00Z', '2025-01-10T19:00:00.000Z'],
    ['cron(0 20 ? * MON-FRI *)', 'Europe/Berlin', '2025-01-10T18:59:59Z', '2025-01-09T19:00:00.000Z'],
    ['cron(30 2 * * ? *)', 'Europe/Berlin', '2025-03-30T12:00:00Z', '2025-03-29T01:30:00.000Z'],
    // During the repeated hour in New York, 01:30 already fired at its first occurrence.
    ['cron(30 1 * * ? *)', 'America/New_York', '2025-11-02T06:10:00Z', '2025-11-02T05:30:00.000Z'],
    ['cron(0 0 L * ? *)', 'UTC', '2025-03-15T00:00:00Z', '2025-02-28T00:00:00.000Z'],
  ])('%s in %s at or before %s → %s', (expr, tz, at, expected) => {
    expect(prev(expr, tz, at)).toBe(expected);
  });

  it('agrees with nextFireTime over a month of fires in a DST zone', () => {
    const fires = fireTimesBetween(
      'cron(15 1,2,3 * * ? *)',
      'Europe/Berlin',
      d('2025-03-20T00:00:00Z'),
      d('2025-04-05T00:00:00Z'),
    );
    for (const [i, f] of fires.entries()) {
      if (i === 0) continue;
      expect(previousFireTime('cron(15 1,2,3 * * ? *)', 'Europe/Berlin', new Date(f.getTime() - 1))).toEqual(
        fires[i - 1],
      );
    }
  });
});

describe('rate() and at()', () => {
  it('rate(1 day) is 24 elapsed hours, so its wall time moves across a DST change', () => {
    const start = d('2025-03-29T19:00:00Z'); // 20:00 CET
    expect(nextFireTime('rate(1 day)', 'Europe/Berlin', start, { start })?.toISOString()).toBe(
      '2025-03-30T19:00:00.000Z',
    );
  });
  it('rate() without a start counts from `after`; with a start, aligns to start + k·period', () => {
    expect(next('rate(5 minutes)', 'UTC', '2025-01-01T00:00:00Z')).toBe('2025-01-01T00:05:00.000Z');
    const start = d('2025-01-01T00:00:00Z');
    expect(nextFireTime('rate(2 hours)', 'UTC', d('2025-01-01T03:00:00Z'), { start })?.toISOString()).toBe(
      '2025-01-01T04:00:00.000Z',
    );
    expect(
      previousFireTime('rate(2 hours)', 'UTC', d('2025-01-01T03:00:00Z'), { start })?.toISOString(),
    ).toBe('2025-01-01T02:00:00.000Z');
  });
  it('at() is a wall time in the zone, firing once', () => {
    expect(next('at(2025-07-01T09:00:00)', 'Europe/Berlin', '2025-01-01T00:00:00Z')).toBe(
      '2025-07-01T07:00:00.000Z',
    );
    expect(next('at(2025-07-01T09:00:00)', 'Europe/Berlin', '2025-07-01T07:00:00Z')).toBeUndefined();
    expect(prev('at(2025-07-01T09:00:00)', 'Europe/Berlin', '2025-07-01T07:00:00Z')).toBe(
      '2025-07-01T07:00:00.000Z',
    );
  });
  it('at() in a spring-forward gap fires just after the gap; in a repeated hour at the first occurrence', () => {
    expect(next('at(2025-03-30T02:30:00)', 'Europe/Berlin', '2025-01-01T00:00:00Z')).toBe(
      '2025-03-30T01:30:00.000Z',
    );
    expect(next('at(2025-10-26T02:30:00)', 'Europe/Berlin', '2025-01-01T00:00:00Z')).toBe(
      '2025-10-26T00:30:00.000Z',
    );
  });
});

describe('parseScheduleExpression errors', () => {
  it.each([
    ['every day at 8', 'must be cron(...), rate(...) or at(...)'],
    ['cron(0 8 * * *)', 'has 5 fields; expected 6'],
    ['cron(0 8 * * * *)', 'must have exactly one "?"'],
    ['cron(0 8 ? * ? *)', 'must have exactly one "?"'],
    ['cron(60 8 * * ? *)', 'minutes value 60 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 'hours value 24 is out of range 0-23'],
    ['cron(0 8 0 * ? *)', 'day-of-month value 0 is out of range 1-31'],
    ['cron(0 8 ? * 8 *)', 'day-of-week value 8 is out of range 1-7'],
    ['cron(0 8 ? * FUN *)', 'day-of-week has "FUN", expected 1-7 or SUN-SAT'],
    ['cron(0 8 ? * FRI-MON *)', 'runs backwards'],
    ['cron(0 8 * 13 ? *)', 'month value 13 is out of range 1-12'],
    ['cron(0 8 * * ? 1969)', 'year value 1969 is out of range 1970-2199'],
    ['cron(0/0 8 * * ? *)', 'expected a positive number'],
    ['cron(0 8 ? * 2#6 *)', 'the week after # must be 1-5'],
    ['cron(0 8 ? * 2W *)', 'W is only valid in day-of-month'],
    ['cron(0 8 3#1 * ? *)', 'use L, L-n, nW or LW'],
    ['rate(5 minute)', 'unit must be plural'],
    ['rate(1 days)', 'unit must be singular'],
    ['rate(0 minutes)', 'positive'],
    ['rate(5 weeks)', 'rate(<value> minutes|hours|days)'],
    ['at(2025-02-29T10:00:00)', 'does not exist'],
    ['at(2025-02-01T10:00:00Z)', 'with no zone or offset'],
  ])('%s → %s', (expr, message) => {
    expect(() => parseScheduleExpression(expr)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(expr)).toThrow(message);
  });

  it('rejects an unknown time zone', () => {
    expect(() => nextFireTime('cron(0 8 * * ? *)', 'Mars/Olympus', new Date())).toThrow(
      'unknown time zone "Mars/Olympus"',
    );
  });
});
