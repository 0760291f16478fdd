/**
 * Storm collapsing, pure. Times are event times, never the wall clock.
 *
 * The first alert for a dedup key (same service, same status, same severity) goes out at once
 * and opens a window of {@link STORM_WINDOW_MINUTES}. Further alerts for that key whose event time
 * falls in the window are not sent: they are counted in the window's ledger item. The count goes
 * out, as "N more like this between A and B", with:
 * - the next alert for the key after the window (which opens the next window), or
 * - a summary message flushed by any later notifier run (any key) once the window has ended,
 * so a storm that simply stops is still reported. Nothing is dropped: every collapsed alert is
 * counted, and its event id recorded, until a message carrying the count has been sent.
 * An alert that escalates (another severity) has another key and is never collapsed.
 */
import type { Alert, StormSummary } from './alert.ts';

export const STORM_WINDOW_MINUTES = 10;

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
  exceptKey: string,
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
