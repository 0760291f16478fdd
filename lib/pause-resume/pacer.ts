/**
 * A per-target request pacer for fleet runs. App Runner limits each account and region to a
 * request rate; a run that starts its workers at full speed spends its time in throttling back-off
 * instead of pausing services. The pacer keeps the calls it is asked for within `ratePerSecond`
 * and adapts to the rate App Runner actually grants: AIMD, like TCP — halve the rate after a
 * throttle (at most once per second, so a burst of refusals from one overshoot counts once), and
 * creep back up by about one request/s per second of successes, never above the configured rate.
 * It also owns the retries of throttled calls ({@link pacedBy}): fleet work uses App Runner
 * clients that leave throttling to it (lib/aws/client-config.ts), so no retry goes unpaced.
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
  /**
   * Resolves when the next call may be sent (callers are served in the order they asked), with
   * `done`, to call as soon as its answer (or error) is back. Until then the call counts as
   * arriving at the target now: a call that never reports back holds its place in every window.
   */
  acquire(): Promise<() => void>;
  /** The target refused a call for its rate: halve the rate (once a second at most), and hold the next call an interval. */
  throttled(): void;
  /** A call went through: creep the rate back up. */
  succeeded(): void;
  /** The current rate (requests per second). */
  readonly rate: number;
}

/** One halving per second, however many calls one overshoot got refused. */
const DECREASE_WINDOW_MS = 1_000;

/**
 * Creates a {@link Pacer}: at most `⌊rate⌋` calls in any window of `⌊rate⌋ ÷ rate` seconds, the
 * way AWS counts a rate — a second's worth may go at once, the next only when the window has
 * moved past the first. The target counts a call when it arrives, which the caller cannot see:
 * some time after the send (on a busy host or network, hundreds of milliseconds after), and
 * before the answer. So a call's window is taken to start at its answer, and a call still out
 * counts as arriving now: then no window can overflow, however late the sends arrive, at the cost
 * of the answer's latency per window. Times are the ones that actually happened, so a late timer
 * never squeezes a window. `acquire` sleeps only until a time it computed (or until an answer),
 * and re-checks only when a throttle moved that time: with a simulated sleep that does not move
 * `now`, it never spins.
 */
export function createPacer(options: PacerOptions): Pacer {
  const max = options.ratePerSecond;
  if (!(max > 0)) throw new RangeError(`ratePerSecond must be positive, got ${max}`);
  const min = Math.min(max, options.minRatePerSecond ?? 1);
  let rate = max;
  /** Answer times of recent calls; `Infinity` while a call is out. Kept while they matter. */
  const calls: Array<{ answeredAt: number }> = [];
  /** After a throttle: nothing goes before this. */
  let hold = Number.NEGATIVE_INFINITY;
  let lastDecrease = Number.NEGATIVE_INFINITY;
  let queue: Promise<unknown> = Promise.resolve();
  /** Wakes a caller waiting for an answer (every window slot is held by a call still out). */
  let onAnswer: (() => void) | undefined;

  // The next call may go once fewer than ⌊rate⌋ calls are counted within the window before it:
  // the ⌊rate⌋-th latest answer plus the window (Infinity: wait for an answer).
  const allowedAt = () => {
    const n = Math.max(1, Math.floor(rate));
    const windowMs = (n * 1000) / rate;
    let first = Number.NEGATIVE_INFINITY;
    if (calls.length >= n) {
      const times = calls.map((c) => c.answeredAt).sort((a, b) => b - a);
      first = times[n - 1]! + windowMs;
    }
    return Math.max(first, hold);
  };
  // One caller at a time: while it waits, an answer can only bring its turn closer (or end an
  // indefinite wait), a throttle push it back.
  const take = async () => {
    let reached = options.now();
    for (;;) {
      const at = allowedAt();
      if (at === Number.POSITIVE_INFINITY) {
        await new Promise<void>((resolve) => {
          onAnswer = resolve;
        });
        reached = Math.max(reached, options.now());
        continue;
      }
      if (at <= reached) break;
      const t = options.now();
      if (at > t) await options.sleep(at - t);
      reached = at;
    }
    const t = options.now();
    // A call answered a second (the longest window) ago no longer holds anything back.
    for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.answeredAt <= t - 1000) calls.splice(i, 1);
    const call = { answeredAt: Number.POSITIVE_INFINITY };
    calls.push(call);
    return () => {
      if (call.answeredAt !== Number.POSITIVE_INFINITY) return;
      call.answeredAt = Math.max(t, options.now());
      const wake = onAnswer;
      onAnswer = undefined;
      wake?.();
    };
  };

  return {
    acquire() {
      const turn = queue.then(take);
      queue = turn;
      return turn;
    },
    throttled() {
      const t = options.now();
      if (t - lastDecrease >= DECREASE_WINDOW_MS) {
        lastDecrease = t;
        rate = Math.max(min, rate / 2);
      }
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
 * for the rate). A refused call is tried again at the pacer's next turn — the pacer has already
 * slowed down for it — up to `attempts` tries in all; then its error is thrown. Without a pacer,
 * `fn` itself.
 */
export function pacedBy<T>(
  pacer: Pacer | undefined,
  fn: () => Promise<T>,
  isThrottled: (error: unknown) => boolean,
  attempts = 1,
): () => Promise<T> {
  if (!pacer) return fn;
  return async () => {
    for (let attempt = 1; ; attempt++) {
      const done = await pacer.acquire();
      try {
        const out = await fn();
        done();
        pacer.succeeded();
        return out;
      } catch (error) {
        done();
        if (!isThrottled(error)) throw error;
        pacer.throttled();
        if (attempt >= attempts) throw error;
      }
    }
  };
}
