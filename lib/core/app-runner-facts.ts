/**
 * Facts about App Runner that several jobs share (docs/architecture.md, "Shared facts"), each
 * written once. The EventBridge patterns (infra/patterns) route the same failures; the routing
 * tests hold them to this table.
 */
import type { OperationStatus, ServiceStatus } from '../events/app-runner.ts';

/** The jobs that own (remedy and report) an App Runner failure. */
export type FailureOwner = 'rollback' | 'cleanup';

/**
 * Which job owns which failure. The owner publishes its own outcome event for it, so the notifier
 * stays quiet about the raw App Runner event; an unowned failure is alerted as it is.
 */
export const FAILURE_OWNERS = {
  operations: {
    DeploymentFailed: 'rollback',
    UpdateServiceFailed: 'rollback',
    CreateServiceFailed: 'cleanup',
  },
  statuses: {
    CREATE_FAILED: 'cleanup',
    DELETE_FAILED: 'cleanup',
  },
} as const satisfies {
  operations: Partial<Record<OperationStatus, FailureOwner>>;
  statuses: Partial<Record<ServiceStatus, FailureOwner>>;
};

/** The job that owns a failed operation (`DeploymentFailed`…), if any. */
export function ownerOfOperation(status: OperationStatus): FailureOwner | undefined {
  return (FAILURE_OWNERS.operations as Partial<Record<OperationStatus, FailureOwner>>)[status];
}

/** The job that owns a failed service status (`CREATE_FAILED`…), if any. */
export function ownerOfStatus(status: ServiceStatus): FailureOwner | undefined {
  return (FAILURE_OWNERS.statuses as Partial<Record<ServiceStatus, FailureOwner>>)[status];
}

/** Operation statuses a job owns. */
export function operationsOwnedBy(job: FailureOwner): OperationStatus[] {
  return Object.entries(FAILURE_OWNERS.operations)
    .filter(([, owner]) => owner === job)
    .map(([status]) => status as OperationStatus);
}

/** The service statuses of a failed service (what cleanup deletes, what the notifier alerts on). */
export const FAILED_SERVICE_STATUSES: readonly ServiceStatus[] = Object.keys(
  FAILURE_OWNERS.statuses,
) as ServiceStatus[];

/**
 * `ListOperations` statuses of an operation that did not succeed: it failed, or failed and App
 * Runner rolled (or is rolling) it back. One set for every job.
 */
export const FAILED_OPERATION_STATUSES: ReadonlySet<string> = new Set([
  'FAILED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_SUCCEEDED',
  'ROLLBACK_FAILED',
]);

/** `ListOperations` statuses of an operation still running. */
export const RUNNING_OPERATION_STATUSES: ReadonlySet<string> = new Set(['PENDING', 'IN_PROGRESS']);
