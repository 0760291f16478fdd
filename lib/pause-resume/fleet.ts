import { isNotFound, isRetryable, isThrottled } from '../core/errors.ts';

/** What {@link createWorkPool} returns. */
export interface WorkPool<T> {
  /** Queues items; they start as soon as fewer than the limit are running. */
  add(items: readonly T[]): void;
  /** Resolves when everything added so far has run; rejects with the first error thrown. */
  drain(): Promise<void>;
}

/**
 * Runs `fn` on items as they are added, at most `limit` at a time, in the order added: a fleet run
 * starts on the first services a listing finds while it is still reading the rest.
 */
export function createWorkPool<T>(limit: number, fn: (item: T) => Promise<void>): WorkPool<T> {
  const queue: T[] = [];
  let running = 0;
  let failure: { error: unknown } | undefined;
  const idle: Array<() => void> = [];
  const pump = () => {
    while (running < Math.max(1, limit) && queue.length > 0) {
      const item = queue.shift()!;
      running++;
      fn(item)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          running--;
          pump();
          if (running === 0 && queue.length === 0) for (const resolve of idle.splice(0)) resolve();
        });
    }
  };
  return {
    add(items) {
      queue.push(...items);
      pump();
    },
    async drain() {
      if (running > 0 || queue.length > 0) await new Promise<void>((resolve) => idle.push(resolve));
      if (failure) throw failure.error;
    },
  };
}

/** True for throttling, as the App Runner adapter reports it. */
export function isThrottling(error: unknown): boolean {
  return isThrottled(error);
}

/** Options of {@link withBackoff}. */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  /** Longest single wait (default 2 s): under a fleet-wide rate limit, waiting longer only idles. */
  maxMs?: number;
  /** Injected so tests do not wait. */
  sleep: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`, retrying throttling with capped exponential backoff and full jitter (on top of the
 * SDK's own retries, except on the fleet clients, which leave throttling to their caller): a fleet
 * run that hits a rate limit slows down instead of failing services. A paced run's App Runner
 * calls are retried by their pacer instead (`pacedBy`). Other errors, and throttling after the
 * last attempt, propagate.
 */
export async function withBackoff<T>(fn: () => Promise<T>, options: BackoffOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isThrottling(error) || attempt >= options.attempts) throw error;
      const cap = Math.min(options.maxMs ?? 2_000, options.baseMs * 2 ** (attempt - 1));
      await options.sleep(Math.round(cap / 2 + Math.random() * (cap / 2)));
    }
  }
}

/**
 * An error that means "try this service later" (not a failure of the run). The one policy for
 * per-service errors of a fleet run, shared with the cleanup sweep: only a terminal error fails
 * the service; anything retryable (an operation in progress, throttling, 5xx) comes back later.
 */
export function isBusy(error: unknown): boolean {
  return isRetryable(error);
}

/** True when an error means the service no longer exists. */
export function isGone(error: unknown): boolean {
  return isNotFound(error);
}
