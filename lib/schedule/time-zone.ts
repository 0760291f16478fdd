/**
 * Wall-clock arithmetic in IANA time zones with nothing but `Intl.DateTimeFormat` (no dependency).
 *
 * A "wall time" is a calendar date and clock time as people in a zone read it, with no offset. It
 * is carried as the number of milliseconds the same reading would have in UTC (`Date.UTC(...)`),
 * which makes wall times easy to compare and step through.
 */

/** A wall-clock reading in a zone. `weekday` is 0 = Sunday … 6 = Saturday. */
export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name this runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Reads the wall clock of `timeZone` at `instant`.
 *
 * @throws RangeError when the zone is unknown.
 */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  const year = Number(parts.year);
  return {
    year: parts.era === 'BC' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** The wall time as UTC-epoch milliseconds of the same reading (comparable, steppable). */
export function wallToMs(w: Pick<WallTime, 'year' | 'month' | 'day'> & Partial<WallTime>): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour ?? 0, w.minute ?? 0, w.second ?? 0);
}

/** Inverse of {@link wallToMs}. */
export function msToWall(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** The zone's UTC offset at `instantMs`, in milliseconds (e.g. +3 600 000 for CET). */
export function offsetAt(instantMs: number, timeZone: string): number {
  const floored = Math.floor(instantMs / 1000) * 1000;
  return wallToMs(toWallTime(new Date(floored), timeZone)) - floored;
}

const DAY_MS = 86_400_000;

/**
 * Every instant at which the zone's clock reads `wallMs`, earliest first: one on an ordinary day,
 * none for a time skipped when clocks go forward, two for a time repeated when they go back.
 */
export function instantsOfWallTime(wallMs: number, timeZone: string): Date[] {
  const offsets = new Set([
    offsetAt(wallMs - DAY_MS, timeZone),
    offsetAt(wallMs - offsetAt(wallMs, timeZone), timeZone),
    offsetAt(wallMs + DAY_MS, timeZone),
  ]);
  const out: number[] = [];
  for (const o of offsets) {
    const t = wallMs - o;
    if (offsetAt(t, timeZone) === o && !out.includes(t)) out.push(t);
  }
  return out.sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * Converts a wall time to one instant. Repeated times resolve to the earlier instant; skipped
 * times resolve with `skipped: 'later'` to the instant the same distance past the gap (as
 * `Temporal`'s "compatible" disambiguation does: 02:30 on a spring-forward night becomes 03:30),
 * or to `undefined` with `skipped: 'none'`.
 */
export function wallTimeToInstant(
  wallMs: number,
  timeZone: string,
  options: { skipped?: 'later' | 'none' } = {},
): Date | undefined {
  const found = instantsOfWallTime(wallMs, timeZone);
  if (found[0]) return found[0];
  if (options.skipped === 'none') return undefined;
  // In a gap: the offset before the transition applies, which lands after the gap.
  return new Date(wallMs - offsetAt(wallMs - DAY_MS, timeZone));
}

/** The zone's calendar date at `instant`, as `yyyy-mm-dd`. */
export function localDate(instant: Date, timeZone: string): string {
  const w = toWallTime(instant, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}
