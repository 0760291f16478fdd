/**
 * Storm collapsing, pure. Times are event times, never the wall clock.
 *
 * The first alert for a dedup key (same service, same status, same severity) goes out at once
 * and opens a window of {@link STORM_WINDOW_MINUTES}. Further alerts for that key whose event time
 * falls in the window are not sent: they are counted in the window's ledger item. The count goes
 * out, as "N more like this between A and B", with:
 * - the next alert for the key after the window (which opens the next window), or
 * - a summary message flushed by any later notifier run once the window has ended: the first
 *   alert collapsed into a window asks to wake the notifier at the window's end
 *   (+ {@link FLUSH_MARGIN_SECONDS}; at least a minute ahead, for a late event) to do so, see {@link planStormFlush};
 *   any other alert after the window's end flushes it too, whichever comes first,
 * so a storm that simply stops is still reported, at its window's end. Nothing is dropped: every collapsed alert is
 * counted, and its event id recorded, until a message carrying the count has been sent.
 * An alert that escalates (another severity) has another key and is never collapsed.
 */
import { createHash } from 'node:crypto';
import type { Alert, StormSummary } from './alert.ts';

export const STORM_WINDOW_MINUTES = 10;
/** The flush fires this long after a window's end, so the window has surely ended when it runs. */
export const FLUSH_MARGIN_SECONDS = 60;

/** The ledger item of one dedup key. */
export interface StormWindow {
  key: string;
  /** Event time of the alert that opened the window. */
  windowStart: string;
  /** That alert's message id: its retries are recognized and resent, not collapsed. */
  windowEventId: string;
  /** Collapsed alerts not yet reported. */
  suppressed: number;
  /** Event ids of those alerts (idempotency of collapsing). */
  suppressedIds: string[];
  firstSuppressedAt?: string;
  lastSuppressedAt?: string;
  /** Every alert ever collapsed for this key: makes flush message ids unique per count. */
  collapsedTotal: number;
  /** What the opening alert reported, so its retries report the same count. */
  reported?: StormSummary;
  /** The opening alert, to render a summary message from. */
  sample: Alert;
}

export type StormPlan =
  /** Send the alert; `open` the window with it (and reset the count) unless it is a retry. */
  | { action: 'send'; open: boolean; storm?: StormSummary }
  /** Count it in the open window; it is reported later. */
  | { action: 'collapse'; windowEnd: string };

const ms = (iso: string) => Date.parse(iso);

/** Decides what to do with an alert, given the window of its key (if any). */
export function planStorm(
  window: StormWindow | undefined,
  alert: Pick<Alert, 'messageId' | 'time'>,
  windowMinutes = STORM_WINDOW_MINUTES,
): StormPlan {
  if (!window) return { action: 'send', open: true };
  if (window.windowEventId === alert.messageId) {
    return { action: 'send', open: false, ...(window.reported ? { storm: window.reported } : {}) };
  }
  if (window.suppressedIds.includes(alert.messageId)) {
    return { action: 'collapse', windowEnd: windowEnd(window, windowMinutes) };
  }
  const width = windowMinutes * 60_000;
  const start = ms(window.windowStart);
  const t = ms(alert.time);
  // A late event from well before the window: send it as it is, without moving the window back.
  if (t < start - width) return { action: 'send', open: false };
  if (t < start + width) return { action: 'collapse', windowEnd: windowEnd(window, windowMinutes) };
  return { action: 'send', open: true, ...pendingOf(window) };
}

function pendingOf(window: StormWindow): { storm?: StormSummary } {
  if (window.suppressed <= 0) return {};
  return {
    storm: {
      count: window.suppressed,
      from: window.firstSuppressedAt ?? window.windowStart,
      to: window.lastSuppressedAt ?? window.windowStart,
    },
  };
}

/** The one-time schedule that reports a window's count at its end if no later alert does. */
export interface StormFlush {
  /**
   * The wake-up's key (`storm-<hash>`): deterministic, so every alert of a batch asks for the same
   * wake-up (the schedule `notify-storm-<hash>`, as before).
   */
  key: string;
  /** The window's end plus {@link FLUSH_MARGIN_SECONDS}, rounded up to the second. */
  at: string;
}

/**
 * Whether collapsing `alert` into `window` (as read before collapsing it) needs a flush schedule:
 * only the first alert collapsed since the count was last reported does (and its retries, which
 * name the same schedule, so a failed creation is made good), the later ones find it made.
 * The name hashes the key, the window start and the number of alerts collapsed before this
 * batch: a batch counted after a flush already ran (a late event inside an ended window) gets a
 * schedule of its own rather than the name of the one that fired.
 */
export function planStormFlush(
  window: StormWindow,
  alert: Pick<Alert, 'messageId'>,
  windowMinutes = STORM_WINDOW_MINUTES,
): StormFlush | undefined {
  const first = window.suppressed === 0 || window.suppressedIds[0] === alert.messageId;
  if (!first) return undefined;
  const base = window.collapsedTotal - window.suppressed;
  const hash = createHash('sha256').update(`${window.key}\n${window.windowStart}\n${base}`).digest('hex');
  // Rounded up to the second: `at()` has no milliseconds, and the flush must not run before the end.
  const at = Math.ceil((ms(windowEnd(window, windowMinutes)) + FLUSH_MARGIN_SECONDS * 1000) / 1000) * 1000;
  return { key: `storm-${hash.slice(0, 40)}`, at: new Date(at).toISOString() };
}

/** When a window stops collapsing. */
export function windowEnd(
  window: Pick<StormWindow, 'windowStart'>,
  windowMinutes = STORM_WINDOW_MINUTES,
): string {
  return new Date(ms(window.windowStart) + windowMinutes * 60_000).toISOString();
}

/** Ended windows (as of event time `now`) whose count was never reported, except `exceptKey`'s. */
export function windowsToFlush(
  windows: readonly StormWindow[],
  now: string,
  exceptKey: string | undefined,
  windowMinutes = STORM_WINDOW_MINUTES,
): StormWindow[] {
  return windows.filter(
    (w) => w.key !== exceptKey && w.suppressed > 0 && ms(now) >= ms(windowEnd(w, windowMinutes)),
  );
}

/** The message that reports an ended window's count when no later alert for its key came. */
export function stormSummaryAlert(window: StormWindow): Alert {
  const { sample } = window;
  const storm = pendingOf(window).storm!;
  return {
    ...sample,
    messageId: `storm|${window.key}|${window.windowStart}|${window.collapsedTotal}`,
    time: storm.to,
    title: `Storm summary, ${sample.title}`,
    summary: `${storm.count} more alert${storm.count === 1 ? '' : 's'} like the one at ${window.windowStart} arrived between ${storm.from} and ${storm.to} and were collapsed. First alert: ${sample.summary}`,
    storm,
  };
}
