/**
 * A per-target request pacer for fleet runs. App Runner limits each account and region to a
 * request rate; a run that starts its workers at full speed spends its time in throttling back-off
 * (the SDK's, then its own) instead of pausing services. The pacer spaces the calls it is asked
 * for at most `ratePerSecond` apart and adapts to the rate App Runner actually grants: AIMD, like
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

/** A window a rate is measured over: one halving per window, however many calls it refused. */
const DECREASE_WINDOW_MS = 1_000;

/**
 * Creates a {@link Pacer}. Each send time is at least one interval (1 s ÷ rate) after the previous
 * send actually happened, so a late timer never lets two calls out back to back. Every `acquire`
 * sleeps twice at most (once more when a throttle arrives while it waits): with a simulated sleep
 * that does not move `now`, it still never spins.
 */
export function createPacer(options: PacerOptions): Pacer {
  const max = options.ratePerSecond;
  if (!(max > 0)) throw new RangeError(`ratePerSecond must be positive, got ${max}`);
  const min = Math.min(max, options.minRatePerSecond ?? 1);
  let rate = max;
  let next = Number.NEGATIVE_INFINITY;
  let lastDecrease = Number.NEGATIVE_INFINITY;
  let queue: Promise<void> = Promise.resolve();

  const waitUntil = async (at: number) => {
    const t = options.now();
    if (at > t) await options.sleep(at - t);
  };
  // One caller at a time: while it waits, only a throttle moves `next`.
  const take = async () => {
    let at = Math.max(options.now(), next);
    await waitUntil(at);
    // A throttle while this call waited pushed the next send back: it waits that out too (once).
    if (next > at) {
      at = next;
      await waitUntil(at);
    }
    next = Math.max(options.now(), at) + 1000 / rate;
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
      // The next call waits a whole new interval: the refused one showed the target is full now.
      next = Math.max(next, t + 1000 / rate);
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
