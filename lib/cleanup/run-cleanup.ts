import { ownerOfOperation, ownerOfStatus } from '../core/app-runner-facts.ts';
import type { JobResult, RunContext } from '../core/handler-stack.ts';
import type { AppRunnerEvent } from '../events/app-runner.ts';
import type { CleanupPayload } from '../events/scheduler.ts';
import type { CleanupDeps } from './deps.ts';
import { handleFailedService } from './handle-failed-service.ts';
import { runScheduledDeletion } from './scheduled-deletion.ts';
import { runSweep } from './sweep.ts';

export type { CleanupDeps } from './deps.ts';

/** True for the App Runner events that report a failed service to clean up. */
export function isCleanupTrigger(event: AppRunnerEvent): boolean {
  const owner =
    event.kind === 'operation' ? ownerOfOperation(event.status) : ownerOfStatus(event.currentStatus);
  return owner === 'cleanup';
}

/**
 * The cleanup job's one use case, dispatching on its trigger: a failure event (CREATE_FAILED,
 * CreateServiceFailed, DELETE_FAILED), a firing deletion schedule, or the periodic sweep.
 */
export async function runCleanup(
  input: AppRunnerEvent | CleanupPayload,
  deps: CleanupDeps,
  ctx: Pick<RunContext, 'logger'>,
): Promise<JobResult> {
  if ('eventId' in input) {
    if (!isCleanupTrigger(input)) {
      const status = input.kind === 'operation' ? input.status : input.currentStatus;
      return { outcome: 'skipped', reason: `${status} is not a cleanup trigger; nothing to do.` };
    }
    const at = new Date(input.time);
    return handleFailedService(
      {
        service: input.service,
        trigger: input.eventId,
        now: at,
        failedAt: at,
        event: {
          eventId: input.eventId,
          time: input.time,
          status: input.kind === 'operation' ? input.status : input.currentStatus,
          ...(input.message === undefined ? {} : { message: input.message }),
          ...(input.severity === undefined ? {} : { severity: input.severity }),
        },
      },
      deps,
    );
  }
  if (input.action === 'delete-failed-service') {
    return runScheduledDeletion(
      {
        serviceArn: input.serviceArn,
        scheduledTime: input.scheduledTime,
        attempt: input.attempt,
        ...(input.snapshotKey === undefined ? {} : { snapshotKey: input.snapshotKey }),
      },
      deps,
    );
  }
  return runSweep(input, deps, ctx);
}
