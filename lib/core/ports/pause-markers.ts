import type { Target } from '../../targets.ts';

/**
 * Port: the guard's pause markers, kept in its ledger (docs/architecture.md, "Data"). A marker says
 * "this schedule paused this service at this time" (`schedule/<name>@<ISO time>`); only services
 * with one are resumed by a schedule. In the ledger rather than as a tag, a pause costs App Runner
 * one call (the pause) instead of two, and a whole target's markers are one query.
 */
export interface PauseMarkerStore {
  /** Every marker in one target, by service ARN. */
  list(target: Target): Promise<Map<string, string>>;
  /** The marker of one service, or `undefined` (a manual resume reads just its own). */
  get(serviceArn: string): Promise<string | undefined>;
  /** Writes (or replaces) the marker of a service. */
  put(serviceArn: string, marker: string): Promise<void>;
  /** Writes the same marker for many services (a run's pauses), in as few requests as the store allows. */
  putMany(serviceArns: readonly string[], marker: string): Promise<void>;
  /** Removes the marker of a service (no-op when there is none). */
  remove(serviceArn: string): Promise<void>;
}
