/**
 * EventBridge Scheduler schedule expressions — `cron(…)`, `rate(…)`, `at(…)` — parsed and
 * evaluated in an IANA time zone, exactly as Scheduler evaluates them with
 * `ScheduleExpressionTimezone`. Pure: no clock, no I/O; used by the pause-resume job, the plan
 * command and the sandbox clock.
 *
 * Daylight saving time (EventBridge Scheduler's documented behaviour, "Daylight saving time on
 * EventBridge Scheduler"):
 * - clocks go forward: a cron time that does not exist that day (02:30 in Europe/Berlin on the last
 *   Sunday of March) is **skipped**; the schedule fires next at its following matching time;
 * - clocks go back: a cron time that occurs twice (01:30 in America/New_York on the first Sunday
 *   of November) fires **once**, at its first occurrence (the daylight-time one);
 * - `rate()` measures elapsed time: `rate(1 day)` is 24 hours after the last invocation, so its
 *   wall-clock time shifts by an hour across a transition;
 * - `at()` is a one-time wall time: a skipped time resolves past the gap (02:30 → 03:30) rather
 *   than never firing, a repeated one to its first occurrence. (Scheduler's documentation is
 *   silent on `at()` in a gap; firing late beats silently never firing.)
 */
import {
  instantsOfWallTime,
  isValidTimeZone,
  msToWall,
  toWallTime,
  wallTimeToInstant,
  wallToMs,
} from './time-zone.ts';

/** A schedule expression that failed to parse; the message names the field and the problem. */
export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
  constructor(
    readonly expression: string,
    readonly field: string,
    problem: string,
  ) {
    super(`invalid schedule expression "${expression}": ${field} ${problem}`);
  }
}

/** Day-of-month items: `15`, `L` / `L-2` (last day, minus n), `15W` (nearest weekday), `LW`. */
type DomItem =
  | { type: 'value'; day: number }
  | { type: 'last'; minus: number }
  | { type: 'nearest-weekday'; day: number }
  | { type: 'last-weekday' };

/** Day-of-week items (1 = SUN … 7 = SAT): `2`, `6L` (last Friday of the month), `3#2` (2nd Tuesday). */
type DowItem =
  | { type: 'value'; dow: number }
  | { type: 'last'; dow: number }
  | { type: 'nth'; dow: number; nth: number };

export interface CronExpression {
  kind: 'cron';
  source: string;
  minutes: number[];
  hours: number[];
  /** `undefined` = any day (`?` or `*`). */
  daysOfMonth?: DomItem[];
  months: number[];
  /** `undefined` = any day (`?` or `*`). */
  daysOfWeek?: DowItem[];
  years: number[];
}

export interface RateExpression {
  kind: 'rate';
  source: string;
  value: number;
  unit: 'minute' | 'hour' | 'day';
  /** The period in milliseconds (a day is 24 hours: rate() measures elapsed time). */
  periodMs: number;
}

export interface AtExpression {
  kind: 'at';
  source: string;
  /** The wall time, as UTC-epoch milliseconds of the same reading (see time-zone.ts). */
  wallMs: number;
}

export type ScheduleExpression = CronExpression | RateExpression | AtExpression;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DOW_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: DOW_NAMES },
  year: { name: 'year', min: 1970, max: 2199 },
} satisfies Record<string, FieldSpec>;

function parseNumber(expr: string, spec: FieldSpec, token: string): number {
  const upper = token.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(token)) {
    const hint = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    throw new ScheduleExpressionError(
      expr,
      spec.name,
      `has "${token}", expected ${spec.min}-${spec.max}${hint}`,
    );
  }
  const n = Number(token);
  if (n < spec.min || n > spec.max) {
    throw new ScheduleExpressionError(expr, spec.name, `value ${n} is out of range ${spec.min}-${spec.max}`);
  }
  return n;
}

/** Parses `*`, `a`, `a-b`, `a/s`, `*\/s`, `a-b/s` and comma lists into sorted values. */
function parseValues(expr: string, spec: FieldSpec, field: string): number[] {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '') throw new ScheduleExpressionError(expr, spec.name, 'has an empty list item');
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined)
      throw new ScheduleExpressionError(expr, spec.name, `has "${item}" with two steps`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw new ScheduleExpressionError(
          expr,
          spec.name,
          `has step "${stepText}", expected a positive number`,
        );
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a = '', b = '', more] = range.split('-');
      if (more !== undefined)
        throw new ScheduleExpressionError(expr, spec.name, `has malformed range "${range}"`);
      from = parseNumber(expr, spec, a);
      to = parseNumber(expr, spec, b);
      if (from > to) {
        throw new ScheduleExpressionError(
          expr,
          spec.name,
          `has range "${range}" that runs backwards; write it as two ranges (e.g. "${a}-${spec.names?.[spec.max - 1] ?? spec.max},${spec.names?.[spec.min - 1] ?? spec.min}-${b}")`,
        );
      }
    } else {
      from = parseNumber(expr, spec, range);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function parseDaysOfMonth(expr: string, field: string): DomItem[] {
  const spec = FIELDS.dayOfMonth;
  const items: DomItem[] = [];
  for (const item of field.split(',')) {
    const upper = item.toUpperCase();
    if (upper === 'LW') items.push({ type: 'last-weekday' });
    else if (upper === 'L') items.push({ type: 'last', minus: 0 });
    else if (/^L-\d+$/.test(upper)) {
      const minus = Number(upper.slice(2));
      if (minus > 30)
        throw new ScheduleExpressionError(expr, spec.name, `has "${item}": offset must be 0-30`);
      items.push({ type: 'last', minus });
    } else if (/^\d+W$/.test(upper)) {
      items.push({ type: 'nearest-weekday', day: parseNumber(expr, spec, upper.slice(0, -1)) });
    } else if (/[LW#]/i.test(item)) {
      throw new ScheduleExpressionError(expr, spec.name, `has "${item}"; use L, L-n, nW or LW`);
    } else {
      for (const day of parseValues(expr, spec, item)) items.push({ type: 'value', day });
    }
  }
  return items;
}

function parseDaysOfWeek(expr: string, field: string): DowItem[] {
  const spec = FIELDS.dayOfWeek;
  const items: DowItem[] = [];
  for (const item of field.split(',')) {
    const upper = item.toUpperCase();
    if (upper === 'L') items.push({ type: 'value', dow: 7 });
    else if (/^[A-Z0-9]+L$/.test(upper)) {
      items.push({ type: 'last', dow: parseNumber(expr, spec, upper.slice(0, -1)) });
    } else if (upper.includes('#')) {
      const [d = '', n = ''] = upper.split('#');
      if (!/^[1-5]$/.test(n)) {
        throw new ScheduleExpressionError(expr, spec.name, `has "${item}": the week after # must be 1-5`);
      }
      items.push({ type: 'nth', dow: parseNumber(expr, spec, d), nth: Number(n) });
    } else if (/W/.test(upper) && !DOW_NAMES.some((d) => upper.includes(d))) {
      throw new ScheduleExpressionError(expr, spec.name, `has "${item}"; W is only valid in day-of-month`);
    } else {
      for (const dow of parseValues(expr, spec, item)) items.push({ type: 'value', dow });
    }
  }
  return items;
}

function parseCron(expr: string, body: string): CronExpression {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new ScheduleExpressionError(
      expr,
      'cron',
      `has ${parts.length} fields; expected 6: minutes hours day-of-month month day-of-week year`,
    );
  }
  const [min = '', hour = '', dom = '', month = '', dow = '', year = ''] = parts;
  const domAny = dom === '?' || dom === '*';
  const dowAny = dow === '?' || dow === '*';
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(
      expr,
      'day-of-month/day-of-week',
      'must have exactly one "?": EventBridge cannot combine a day of the month with a day of the week',
    );
  }
  for (const [spec, text] of [
    [FIELDS.minutes, min],
    [FIELDS.hours, hour],
    [FIELDS.month, month],
    [FIELDS.year, year],
  ] as const) {
    if (text === '?') throw new ScheduleExpressionError(expr, spec.name, 'cannot be "?"');
  }
  return {
    kind: 'cron',
    source: expr,
    minutes: parseValues(expr, FIELDS.minutes, min),
    hours: parseValues(expr, FIELDS.hours, hour),
    ...(domAny ? {} : { daysOfMonth: parseDaysOfMonth(expr, dom) }),
    months: parseValues(expr, FIELDS.month, month),
    ...(dowAny ? {} : { daysOfWeek: parseDaysOfWeek(expr, dow) }),
    years: parseValues(expr, FIELDS.year, year),
  };
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

function parseRate(expr: string, body: string): RateExpression {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!m) throw new ScheduleExpressionError(expr, 'rate', 'must be "rate(<value> minutes|hours|days)"');
  const value = Number(m[1]);
  const unitText = m[2]!;
  if (value < 1) throw new ScheduleExpressionError(expr, 'rate', 'value must be a positive number');
  const plural = unitText.endsWith('s');
  // Scheduler (and the Serverless schema) insist on "1 minute" but "5 minutes".
  if (plural !== value > 1) {
    throw new ScheduleExpressionError(
      expr,
      'rate',
      `unit must be ${value === 1 ? 'singular' : 'plural'} for value ${value} (e.g. "rate(${value} ${unitText.replace(/s$/, '')}${value === 1 ? '' : 's'})")`,
    );
  }
  const unit = unitText.replace(/s$/, '') as RateExpression['unit'];
  return { kind: 'rate', source: expr, value, unit, periodMs: value * UNIT_MS[unit] };
}

function parseAt(expr: string, body: string): AtExpression {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!m)
    throw new ScheduleExpressionError(expr, 'at', 'must be "at(yyyy-mm-ddThh:mm:ss)" with no zone or offset');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wallMs = wallToMs({ year, month, day, hour, minute, second });
  const back = msToWall(wallMs);
  if (back.month !== month || back.day !== day || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleExpressionError(
      expr,
      'at',
      `names a date or time that does not exist (${body.trim()})`,
    );
  }
  return { kind: 'at', source: expr, wallMs };
}

/**
 * Parses an EventBridge Scheduler schedule expression.
 *
 * - `cron(minutes hours day-of-month month day-of-week year)`: `,` `-` `*` `/` everywhere; `?`
 *   in exactly one of day-of-month / day-of-week; `L`, `L-n`, `nW`, `LW` in day-of-month; `L`
 *   (Saturday), `nL` (last n-day of the month), `n#k` (k-th n-day) in day-of-week; day-of-week
 *   1-7 = SUN-SAT or names, months 1-12 or JAN-DEC, years 1970-2199. Ranges must run forwards.
 * - `rate(value minute|minutes|hour|hours|day|days)` (singular for 1, plural otherwise).
 * - `at(yyyy-mm-ddThh:mm:ss)`: a wall time in the schedule's zone.
 *
 * @throws ScheduleExpressionError naming the field and the problem.
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  if (typeof expression !== 'string')
    throw new ScheduleExpressionError(String(expression), 'expression', 'is not a string');
  const m = /^(cron|rate|at)\((.*)\)$/s.exec(expression.trim());
  if (!m) {
    throw new ScheduleExpressionError(expression, 'expression', 'must be cron(...), rate(...) or at(...)');
  }
  const [, kind, body = ''] = m;
  if (kind === 'cron') return parseCron(expression, body);
  if (kind === 'rate') return parseRate(expression, body);
  return parseAt(expression, body);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay();

/** Quartz/EventBridge `nW`: the weekday nearest to day n, never leaving the month. */
function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const last = daysInMonth(year, month);
  if (day > last) return undefined;
  const wd = weekdayOf(year, month, day);
  if (wd === 6) return day === 1 ? 3 : day - 1;
  if (wd === 0) return day === last ? day - 2 : day + 1;
  return day;
}

function matchesDay(c: CronExpression, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  if (c.daysOfMonth) {
    const ok = c.daysOfMonth.some((item) => {
      switch (item.type) {
        case 'value':
          return item.day === day;
        case 'last':
          return day === last - item.minus;
        case 'nearest-weekday':
          return nearestWeekday(year, month, item.day) === day;
        default:
          return nearestWeekday(year, month, last) === day;
      }
    });
    if (!ok) return false;
  }
  if (c.daysOfWeek) {
    const dow = weekdayOf(year, month, day) + 1;
    const ok = c.daysOfWeek.some((item) => {
      if (item.dow !== dow) return false;
      if (item.type === 'last') return day + 7 > last;
      if (item.type === 'nth') return Math.ceil(day / 7) === item.nth;
      return true;
    });
    if (!ok) return false;
  }
  return true;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Matching days (as wall ms of midnight), walking forwards or backwards from `startDayMs`. */
function* matchingDays(c: CronExpression, startDayMs: number, direction: 1 | -1): Generator<number> {
  const minYear = c.years[0]!;
  const maxYear = c.years[c.years.length - 1]!;
  let ms = startDayMs;
  for (;;) {
    const d = new Date(ms);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    if (direction === 1 ? year > maxYear : year < minYear) return;
    if (!c.years.includes(year)) {
      ms = direction === 1 ? Date.UTC(year + 1, 0, 1) : Date.UTC(year - 1, 11, 31);
      continue;
    }
    if (!c.months.includes(month)) {
      ms = direction === 1 ? Date.UTC(year, month, 1) : Date.UTC(year, month - 1, 0);
      continue;
    }
    if (matchesDay(c, year, month, d.getUTCDate())) yield ms;
    ms += direction * DAY_MS;
  }
}

function nextCron(c: CronExpression, timeZone: string, after: Date): Date | undefined {
  // Any fire strictly after `after` has a wall time at or past after's own wall time (times are
  // mapped to their first occurrence, which is monotonic), so start the walk there.
  const startWall = Math.floor(wallToMs(toWallTime(after, timeZone)) / MINUTE_MS) * MINUTE_MS;
  const startDay = Math.floor(startWall / DAY_MS) * DAY_MS;
  for (const day of matchingDays(c, startDay, 1)) {
    for (const h of c.hours) {
      for (const m of c.minutes) {
        const wall = day + h * 3_600_000 + m * MINUTE_MS;
        if (wall < startWall) continue;
        const first = instantsOfWallTime(wall, timeZone)[0];
        // No instant: skipped by a spring-forward transition. Only the first of two: fall-back.
        if (first && first.getTime() > after.getTime()) return first;
      }
    }
  }
  return undefined;
}

function previousCron(c: CronExpression, timeZone: string, atOrBefore: Date): Date | undefined {
  // A wall time up to the size of a transition later may already have fired (its first
  // occurrence) while the clock repeats an hour: start the backward walk a few hours ahead.
  const startWall =
    Math.floor(wallToMs(toWallTime(atOrBefore, timeZone)) / MINUTE_MS) * MINUTE_MS + 3 * 3_600_000;
  const startDay = Math.floor(startWall / DAY_MS) * DAY_MS;
  const hours = [...c.hours].reverse();
  const minutes = [...c.minutes].reverse();
  for (const day of matchingDays(c, startDay, -1)) {
    for (const h of hours) {
      for (const m of minutes) {
        const wall = day + h * 3_600_000 + m * MINUTE_MS;
        if (wall > startWall) continue;
        const first = instantsOfWallTime(wall, timeZone)[0];
        if (first && first.getTime() <= atOrBefore.getTime()) return first;
      }
    }
  }
  return undefined;
}

function assertZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone))
    throw new RangeError(`unknown time zone "${timeZone}"; use an IANA name such as Europe/Berlin`);
}

function toExpression(expression: string | ScheduleExpression): ScheduleExpression {
  return typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
}

/** Options for {@link nextFireTime} / {@link previousFireTime}. */
export interface FireTimeOptions {
  /**
   * `rate()` only: the schedule's start (its `StartDate`, or when it was created); fires are
   * `start + k·period`. Without it, `after` is taken as the last invocation.
   */
  start?: Date;
}

/**
 * The first time strictly after `after` at which the schedule fires when evaluated in `timeZone`
 * (see the module comment for DST behaviour); `undefined` when it never fires again (a past
 * `at()`, or a cron whose years have run out).
 *
 * @throws ScheduleExpressionError for a malformed expression; RangeError for an unknown zone.
 */
export function nextFireTime(
  expression: string | ScheduleExpression,
  timeZone: string,
  after: Date,
  options: FireTimeOptions = {},
): Date | undefined {
  const e = toExpression(expression);
  assertZone(timeZone);
  if (e.kind === 'cron') return nextCron(e, timeZone, after);
  if (e.kind === 'at') {
    const at = wallTimeToInstant(e.wallMs, timeZone, { skipped: 'later' })!;
    return at.getTime() > after.getTime() ? at : undefined;
  }
  const start = options.start;
  if (!start) return new Date(after.getTime() + e.periodMs);
  if (start.getTime() > after.getTime()) return start;
  const k = Math.floor((after.getTime() - start.getTime()) / e.periodMs) + 1;
  return new Date(start.getTime() + k * e.periodMs);
}

/**
 * The last time at or before `atOrBefore` at which the schedule fired; `undefined` when it had
 * not fired yet. `rate()` needs `options.start` (otherwise `undefined`).
 *
 * @throws ScheduleExpressionError for a malformed expression; RangeError for an unknown zone.
 */
export function previousFireTime(
  expression: string | ScheduleExpression,
  timeZone: string,
  atOrBefore: Date,
  options: FireTimeOptions = {},
): Date | undefined {
  const e = toExpression(expression);
  assertZone(timeZone);
  if (e.kind === 'cron') return previousCron(e, timeZone, atOrBefore);
  if (e.kind === 'at') {
    const at = wallTimeToInstant(e.wallMs, timeZone, { skipped: 'later' })!;
    return at.getTime() <= atOrBefore.getTime() ? at : undefined;
  }
  const start = options.start;
  if (!start || start.getTime() > atOrBefore.getTime()) return undefined;
  const k = Math.floor((atOrBefore.getTime() - start.getTime()) / e.periodMs);
  return new Date(start.getTime() + k * e.periodMs);
}

/**
 * Every fire time in `(after, until]`, at most `limit` of them (default 1000).
 *
 * @throws ScheduleExpressionError for a malformed expression; RangeError for an unknown zone.
 */
export function fireTimesBetween(
  expression: string | ScheduleExpression,
  timeZone: string,
  after: Date,
  until: Date,
  options: FireTimeOptions & { limit?: number } = {},
): Date[] {
  const e = toExpression(expression);
  const out: Date[] = [];
  let cursor = after;
  const limit = options.limit ?? 1000;
  const start = e.kind === 'rate' ? (options.start ?? after) : undefined;
  while (out.length < limit) {
    const next = nextFireTime(e, timeZone, cursor, start ? { start } : {});
    if (!next || next.getTime() > until.getTime()) break;
    out.push(next);
    cursor = next;
  }
  return out;
}
