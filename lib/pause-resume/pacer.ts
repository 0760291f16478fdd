/**
 * A per-target request pacer for fleet runs. App Runner limits each account and region to a
 * request rate; a run that starts its workers at full speed spends its time in throttling back-off
 * (the SDK's, then its own) instead of pausing services. The pacer keeps the calls it is asked
 * for within `ratePerSecond` and adapts to the rate App Runner actually grants: AIMD, like
 * TCP — halve the rate after a throttle (at most once per second, so a burst of refusals from one
 * overshoot counts once), and creep back up by about one request/s per second of successes,
 * never above the configured rate.
 *
 * Pure: the clock and the sleep are injected (the sandbox simulates both; tests use fake time).
 */

/** Options of {@link createPacer}. */
export interface PacerOptions {
  /** The starting and highest rate (requests per second). */
  ratePerSecond: number;
  /** The lowest rate a run of throttles can bring it down to (default 1/s, or the rate if lower). */
  minRatePerSecond?: number;
  /**
   * Added to each window (default 100 ms): the target counts a request when it arrives, and
   * arrivals straggle behind the sends by a varying few milliseconds (more on a busy machine).
   */
  slackMs?: number;
  /** Milliseconds since some origin. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Paces calls to one target. */
export interface Pacer {
  /** Resolves when the next call may be sent (callers are served in the order they asked). */
  acquire(): Promise<void>;
  /** The target refused a call for its rate: halve the rate. */
  throttled(): void;
  /** A call went through: creep the rate back up. */
  succeeded(): void;
  /** The current rate (requests per second). */
  readonly rate: number;
}

/** One halving per second, however many calls one overshoot got refused. */
const DECREASE_WINDOW_MS = 1_000;
const DEFAULT_SLACK_MS = 100;

/**
 * Creates a {@link Pacer}: at most `⌊rate⌋` sends in any window of `⌊rate⌋ ÷ rate` seconds plus
 * the slack (10/s: 10 sends per 1.1 s), the way AWS counts a rate — a second's worth may go at
 * once, the next only when the window has moved past the first. Send times are the ones that
 * actually happened, so a late timer never squeezes a window. Every `acquire` sleeps twice at most
 * (once more when a throttle arrives while it waits): with a simulated sleep that does not move
 * `now`, it never spins.
 */
export function createPacer(options: PacerOptions): Pacer {
  const max = options.ratePerSecond;
  if (!(max > 0)) throw new RangeError(`ratePerSecond must be positive, got ${max}`);
  const min = Math.min(max, options.minRatePerSecond ?? 1);
  const slack = options.slackMs ?? DEFAULT_SLACK_MS;
  let rate = max;
  /** Recent send times, oldest first (at most ⌊max⌋ of them). */
  const sent: number[] = [];
  /** After a throttle: nothing goes before this. */
  let hold = Number.NEGATIVE_INFINITY;
  let lastDecrease = Number.NEGATIVE_INFINITY;
  let queue: Promise<void> = Promise.resolve();

  const allowedAt = () => {
    const n = Math.max(1, Math.floor(rate));
    const windowMs = (n * 1000) / rate + slack;
    const first = sent.length >= n ? sent[sent.length - n]! + windowMs : Number.NEGATIVE_INFINITY;
    return Math.max(first, hold);
  };
  const waitUntil = async (at: number) => {
    const t = options.now();
    if (at > t) await options.sleep(at - t);
  };
  // One caller at a time: while it waits, only a throttle moves `allowedAt`.
  const take = async () => {
    let at = Math.max(options.now(), allowedAt());
    await waitUntil(at);
    if (allowedAt() > at) {
      at = allowedAt();
      await waitUntil(at);
    }
    sent.push(Math.max(options.now(), at));
    if (sent.length > Math.floor(max)) sent.shift();
  };

  return {
    acquire() {
      const turn = queue.then(take);
      queue = turn;
      return turn;
    },
    throttled() {
      const t = options.now();
      if (t - lastDecrease < DECREASE_WINDOW_MS) return;
      lastDecrease = t;
      rate = Math.max(min, rate / 2);
      // The refused call showed the target is full now: the next waits a new interval.
      hold = Math.max(hold, t + 1000 / rate);
    },
    succeeded() {
      rate = Math.min(max, rate + 1 / rate);
    },
    get rate() {
      return rate;
    },
  };
}

/**
 * Wraps `fn` so that each call waits for `pacer` and reports to it (`isThrottled` tells a refusal
 * for the rate). Without a pacer, `fn` itself.
 */
export function pacedBy<T>(
  pacer: Pacer | undefined,
  fn: () => Promise<T>,
  isThrottled: (error: unknown) => boolean,
): () => Promise<T> {
  if (!pacer) return fn;
  return async () => {
    await pacer.acquire();
    try {
      const out = await fn();
      pacer.succeeded();
      return out;
    } catch (error) {
      if (isThrottled(error)) pacer.throttled();
      throw error;
    }
  };
}
