/**
 * The outcome vocabulary (docs/architecture.md, "Outcomes"): every job result, guard event and
 * handler result says what happened with one of these words, each with one meaning.
 */
export const OUTCOME_MEANINGS = {
  acted: 'the guard changed something (or, in dry-run, would have)',
  noop: 'the live state already matched what the guard wants: nothing to do',
  skipped: 'the guard chose not to act (opted out, not its failure, a check failed) and says why',
  deferred: 'the guard could not act yet and comes back later (or gave up waiting, and says so)',
  failed: 'the guard tried and could not finish: a human should look',
  rejected: 'the input was invalid (the reason names the field); nothing was done',
  collapsed: 'the alert joined an ongoing storm of the same alerts: counted, sent in the storm summary',
} as const;

/** Every outcome. */
export type Outcome = keyof typeof OUTCOME_MEANINGS;
export const OUTCOMES = Object.keys(OUTCOME_MEANINGS) as [Outcome, ...Outcome[]];

/** The outcomes a guard event may carry: what a job did about something (never a rejection or a storm). */
export const GUARD_EVENT_OUTCOMES = [
  'acted',
  'noop',
  'skipped',
  'deferred',
  'failed',
] as const satisfies readonly Outcome[];
export type GuardEventOutcome = (typeof GUARD_EVENT_OUTCOMES)[number];

/** What every job returns (docs/architecture.md, "Jobs"). */
export interface JobResult {
  outcome: Outcome;
  reason: string;
  [key: string]: unknown;
}
