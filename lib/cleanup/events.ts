import type { ServiceRef } from '../events/app-runner.ts';
import { type GuardDetailType, type GuardEventEntry, guardServiceOf, type Outcome } from '../events/guard.ts';

/** Fields of a cleanup guard event; `details` carries what on-call needs to act without a console. */
export interface CleanupEventInput {
  detailType: GuardDetailType;
  outcome: Outcome;
  action: string;
  reason: string;
  service?: ServiceRef;
  trigger: string;
  dryRun: boolean;
  details: Record<string, unknown>;
}

const MAX_REASON = 2000;

/** Builds a cleanup guard event; undefined details are dropped, the reason is bounded. */
export function cleanupEvent(input: CleanupEventInput): GuardEventEntry {
  const details = Object.fromEntries(Object.entries(input.details).filter(([, v]) => v !== undefined));
  return {
    detailType: input.detailType,
    detail: {
      job: 'cleanup',
      outcome: input.outcome,
      action: input.action,
      reason: input.reason.length > MAX_REASON ? `${input.reason.slice(0, MAX_REASON - 1)}…` : input.reason,
      ...(input.service ? { service: guardServiceOf(input.service) } : {}),
      trigger: input.trigger,
      dryRun: input.dryRun,
      details,
    },
  };
}

/** Prefixes a reason in dry-run mode, naming what would have been done. */
export function dryRunReason(dryRun: boolean, wouldDo: string, reason: string): string {
  return dryRun ? `Dry run, nothing changed: the guard would ${wouldDo}. ${reason}` : reason;
}
