import { FAILED_OPERATION_STATUSES } from '../core/app-runner-facts.ts';
import { isNotFound } from '../core/errors.ts';
import type { AppRunnerPort, OperationView, ServiceView } from '../core/ports/app-runner.ts';
import type { SnapshotStore } from '../core/ports/cleanup-records.ts';
import { isOptedOut, TAGS, type Tags } from '../tags.ts';

/** A failed service as observed live, before planning. */
export interface ServiceObservation {
  /** `undefined` when the service no longer exists. */
  service: ServiceView | undefined;
  tags: Tags;
  /** Newest first. */
  operations: OperationView[];
  optedOut: boolean;
  /** Deletions that failed: the guard's own count of started deletions or App Runner's failed DELETE_SERVICE operations, whichever is higher. */
  failedDeletions: number;
}

/** Counts the failed deletions among a service's operations. */
export function countFailedDeletions(operations: readonly OperationView[]): number {
  return operations.filter((o) => o.type === 'DELETE_SERVICE' && FAILED_OPERATION_STATUSES.has(o.status))
    .length;
}

/**
 * Reads a service's live state: description, tags, recent operations and how many deletions
 * have failed. A service deleted between the calls is observed as gone, not as an error.
 */
export async function observeService(
  appRunner: AppRunnerPort,
  snapshots: SnapshotStore,
  serviceArn: string,
): Promise<ServiceObservation> {
  const gone: ServiceObservation = {
    service: undefined,
    tags: {},
    operations: [],
    optedOut: false,
    failedDeletions: 0,
  };
  const service = await appRunner.describeService(serviceArn);
  if (!service || service.status === 'DELETED') return gone;
  try {
    const [tags, operations, started] = await Promise.all([
      appRunner.listTags(serviceArn),
      appRunner.listOperations(serviceArn, 20),
      snapshots.deletionAttempts(serviceArn),
    ]);
    return {
      service,
      tags,
      operations,
      optedOut: isOptedOut(tags, TAGS.cleanup),
      failedDeletions:
        service.status === 'DELETE_FAILED' ? Math.max(started, countFailedDeletions(operations)) : 0,
    };
  } catch (error) {
    if (isNotFound(error)) return gone;
    throw error;
  }
}

/**
 * The latest operations, newest first, as one line for alerts (the notifier shows scalar details):
 * `DELETE_SERVICE FAILED (started …, ended …); CREATE_SERVICE FAILED (…)`. `undefined` when none.
 */
export function summarizeOperations(operations: readonly OperationView[], max = 5): string | undefined {
  const lines = operations.slice(0, max).map((o) => {
    const when = [o.startedAt && `started ${o.startedAt}`, o.endedAt && `ended ${o.endedAt}`].filter(Boolean);
    return `${o.type} ${o.status}${when.length ? ` (${when.join(', ')})` : ''}`;
  });
  return lines.length ? lines.join('; ') : undefined;
}
