import type { DlqReport } from './inventory.ts';

/** What `guard dlq redrive` does with one DLQ. */
export type RedriveAction =
  | { kind: 'move'; dlq: DlqReport; count: number; destinations: string[] }
  | { kind: 'running'; dlq: DlqReport; taskHandle?: string }
  | { kind: 'manual'; dlq: DlqReport; count: number; reason: string }
  | { kind: 'empty'; dlq: DlqReport };

/**
 * Plans a redrive, one action per DLQ: an empty DLQ needs nothing; a DLQ with a move task still
 * running is left to it (SQS allows one per source); a `queue` DLQ that some queue redrives to is
 * moved back with SQS's message move task (each message to the queue it came from); anything else
 * — an `invoke` DLQ (Lambda invocation records, which no queue feeds back to the function) or a DLQ
 * no queue names — is left to a human, with the reason.
 */
export function planRedrive(dlqs: readonly DlqReport[]): RedriveAction[] {
  return dlqs.map((dlq): RedriveAction => {
    const count = dlq.visible + dlq.inFlight + dlq.delayed;
    if (count === 0) return { kind: 'empty', dlq };
    if (dlq.lastMoveTask?.status === 'RUNNING') {
      return {
        kind: 'running',
        dlq,
        ...(dlq.lastMoveTask.taskHandle ? { taskHandle: dlq.lastMoveTask.taskHandle } : {}),
      };
    }
    if (dlq.kind === 'invoke') {
      return {
        kind: 'manual',
        dlq,
        count,
        reason: `it holds Lambda's records of failed asynchronous invocations of ${dlq.function}, not events; no queue feeds ${dlq.function}, so SQS cannot move them back`,
      };
    }
    if (dlq.sources.length === 0) {
      return {
        kind: 'manual',
        dlq,
        count,
        reason:
          'no queue names it in its redrive policy, so there is no source queue to move its messages back to',
      };
    }
    return { kind: 'move', dlq, count: dlq.visible, destinations: dlq.sources.map((s) => s.name) };
  });
}
