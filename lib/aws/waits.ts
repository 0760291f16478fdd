/**
 * Real-time waits inside one invocation, in one place: the SDK's retry backoff between attempts
 * of a call, and a Slack `Retry-After` short enough to wait out before trying again. A deployment
 * always waits for real. The sandbox, whose time is simulated and whose faults cost nothing to
 * wait out, stands in for both with {@link simulateWaits} — real waiting only slowed its runs down
 * (20 chaos seeds spent most of their time asleep) and changed nothing they show. Waits that last
 * longer than an invocation are never done here: they are "retry after" or "wake at"
 * (docs/architecture.md, "Time").
 */

/** What stands in for real waiting (the sandbox's). */
export interface SimulatedWaits {
  /** Milliseconds before SDK retry `attempt` (the SDK's own backoff otherwise). */
  retryBackoff(attempt: number): number;
  /** Waits `ms` of the invocation's time (a `setTimeout` otherwise). */
  sleep(ms: number): Promise<void>;
  /**
   * The invocation's clock in milliseconds, moved on by {@link sleep} (`Date.now()` otherwise): a
   * pacer that reads it sees its own simulated waits.
   */
  now?(): number;
}

let simulated: SimulatedWaits | undefined;

/**
 * Replaces real waiting for the clients and adapters used afterwards (the SDK's backoff applies to
 * clients created afterwards; a wait, to every wait that starts afterwards); `undefined` restores
 * real waiting. Only the sandbox calls it.
 */
export function simulateWaits(waits: SimulatedWaits | undefined): void {
  simulated = waits;
}

/** The SDK retry backoff in force when a client is created: `undefined` keeps the SDK's. */
export function retryBackoff(): ((attempt: number) => number) | undefined {
  const s = simulated;
  return s ? (attempt) => s.retryBackoff(attempt) : undefined;
}

/** Waits `ms` within the invocation: for real, or as the sandbox simulates it. */
export function sleepWithin(ms: number): Promise<void> {
  return simulated ? simulated.sleep(ms) : new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/** The invocation's clock in milliseconds: real, or as the sandbox simulates it (see {@link sleepWithin}). */
export function nowWithin(): number {
  return simulated?.now ? simulated.now() : Date.now();
}
