/**
 * Which inputs become a message of their own (the table in `alert.ts`'s TSDoc). Which job owns
 * which App Runner failure is a shared fact of `lib/core/app-runner-facts.ts`.
 */
import {
  FAILED_SERVICE_STATUSES,
  type FailureOwner,
  ownerOfOperation,
  ownerOfStatus,
} from '../core/app-runner-facts.ts';
import { GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { ServiceStatus } from '../events/app-runner.ts';
import type { NotifyDecision, NotifyInput } from './alert.ts';

const FAILED_STATUSES: ReadonlySet<ServiceStatus> = new Set(FAILED_SERVICE_STATUSES);

/** True for a service status that is a failure (`CREATE_FAILED`, `DELETE_FAILED`). */
export function isFailedStatus(status: ServiceStatus): boolean {
  return FAILED_STATUSES.has(status);
}

/** The guard job that reports this App Runner failure with its own outcome event, if any. */
export function ownerOf(input: NotifyInput): FailureOwner | undefined {
  if (input.kind === 'operation') return ownerOfOperation(input.status);
  if (input.kind === 'service-status') return ownerOfStatus(input.currentStatus);
  return undefined;
}

/**
 * Decides whether an input gets a message of its own (see the table in this module's TSDoc):
 * owned failures, non-failures, `Release Recorded` and `Notification Failed` do not.
 */
export function decideNotify(input: NotifyInput): NotifyDecision {
  const owner = ownerOf(input);
  if (owner) return { notify: false, reason: `reported with the ${owner} outcome` };
  if (input.kind === 'operation' && input.phase !== 'Failed') {
    return { notify: false, reason: `${input.status} is not a failure` };
  }
  if (input.kind === 'service-status' && !isFailedStatus(input.currentStatus)) {
    return { notify: false, reason: `${input.currentStatus} is not a failure status` };
  }
  if (input.kind === 'guard') {
    if (input.detailType === GUARD_DETAIL_TYPES.releaseRecorded) {
      return { notify: false, reason: 'a recorded release is routine, not an alert' };
    }
    if (input.detailType === GUARD_DETAIL_TYPES.notificationFailed) {
      return { notify: false, reason: "the notifier's own failures are reported through SNS directly" };
    }
  }
  return { notify: true };
}
