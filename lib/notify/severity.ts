/** Severity rules of alerts (the list in `alert.ts`'s TSDoc). */
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { AppRunnerEvent } from '../events/app-runner.ts';
import type { GuardEvent } from '../events/guard.ts';
import type { Severity } from './alert.ts';
import { isFailedStatus } from './ownership.ts';

/** Severity of an App Runner event alerted directly. */
export function appRunnerSeverity(event: AppRunnerEvent): Severity {
  if (event.kind === 'operation' && event.status === 'PauseServiceFailed') return 'warning';
  if (event.kind === 'operation' && event.phase !== 'Failed') return 'info';
  if (event.kind === 'service-status' && !isFailedStatus(event.currentStatus)) return 'info';
  return 'critical';
}

/** Guard-event severity (rules in this module's TSDoc). */
export function guardSeverity(event: GuardEvent): Severity {
  const d = event.detail;
  if (d.outcome === 'failed') return 'critical';
  if (event.detailType === GUARD_DETAIL_TYPES.quotaWarning) return 'warning';
  if (d.details.attention === true) return 'warning';
  if (d.outcome === 'skipped' && (d.job === 'rollback' || d.job === 'cleanup')) return 'warning';
  // The rollback gave up waiting for an in-progress operation: the failed deployment is unhandled.
  if (d.outcome === 'deferred' && d.job === 'rollback') return 'warning';
  return 'info';
}
