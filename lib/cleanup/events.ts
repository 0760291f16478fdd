import { buildGuardEvent, type GuardDetailType, type GuardEventEntry } from '../core/guard-event.ts';
import type { GuardEventOutcome } from '../core/outcomes.ts';
import type { ServiceRef } from '../events/app-runner.ts';

/** Fields of a cleanup guard event; `details` carries what on-call needs to act without a console. */
export interface CleanupEventInput {
  detailType: GuardDetailType;
  outcome: GuardEventOutcome;
  action: string;
  reason: string;
  service?: ServiceRef;
  /** The account and region, for an event about a target rather than a service. */
  where?: { account: string; region: string };
  trigger: string;
  dryRun: boolean;
  details: Record<string, unknown>;
}

/** Builds a cleanup guard event through the one builder (undefined details dropped, text bounded). */
export function cleanupEvent(input: CleanupEventInput): GuardEventEntry {
  const { detailType, ...detail } = input;
  return buildGuardEvent(detailType, { job: 'cleanup', ...detail });
}

/** Prefixes a reason in dry-run mode, naming what would have been done. */
export function dryRunReason(dryRun: boolean, wouldDo: string, reason: string): string {
  return dryRun ? `Dry run, nothing changed: the guard would ${wouldDo}. ${reason}` : reason;
}
