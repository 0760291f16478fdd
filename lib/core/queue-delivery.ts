/**
 * Buffered delivery (README "Buffered delivery"): each event-driven function reads its events from
 * its own SQS queue. This wrapper turns a batch of queue messages into calls of the function's
 * per-event handler, and is where "retry this event after a delay" happens: the message becomes
 * visible again when the job asked, bounded by the job's maximum wait, then reported once.
 *
 * Imports no SDK: the queue is reached through the {@link VisibilityPort} (`lib/aws/sqs.ts`).
 *
 * @module
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  backoffSeconds,
  MAX_VISIBILITY_SECONDS,
  MAX_WAIT_SECONDS,
  QUEUE_DELIVERY,
  type QueueJob,
} from './delivery-policy.ts';
import { describeError, InvalidEventError, RetryAfterError, WakeAtError } from './errors.ts';

/** Port: the queue a message came from (implemented with the SQS SDK in `lib/aws/sqs.ts`). */
export interface VisibilityPort {
  /**
   * Makes a received message visible again `seconds` from now (SQS `ChangeMessageVisibility`).
   * `queueArn` is the record's `eventSourceARN`.
   */
  changeVisibility(queueArn: string, receiptHandle: string, seconds: number): Promise<void>;
}

/** The log lines the wrapper writes (a Powertools Logger fits). */
export interface DeliveryLogger {
  warn(message: string, extra: Record<string, unknown>): void;
}

/** What a per-event handler is: the function's handler as it was before queues (EventBridge event in). */
export type EventHandler = (event: unknown, context: Context) => Promise<unknown>;

/** How one function delivers from its queue. */
export interface QueueDeliveryOptions {
  job: QueueJob;
  visibility: VisibilityPort;
  /** Longest an event may keep coming back; default {@link MAX_WAIT_SECONDS} of the job. */
  maxWaitSeconds?: number;
  /**
   * Makes a message whose body is not JSON a visible rejection (the function's rejection handler:
   * the `RejectedEvents` metric). Declared as a method so a handler typed on a narrower error fits.
   */
  onReject(error: InvalidEventError, raw: unknown): Promise<void>;
  /**
   * Reports, once, an event the job asked to retry beyond its maximum wait (the function wires the
   * job's failure reporter: a `failed` guard event, or SNS for the notifier). The message is then
   * acknowledged. An error it throws leaves the message to come back and give up again.
   */
  onGiveUp(event: unknown, error: Error): Promise<void>;
  logger?: DeliveryLogger;
  /** Epoch milliseconds (tests). */
  now?: () => number;
}

/** What became of one message of a batch. */
export interface RecordOutcome {
  messageId: string;
  /** The EventBridge event id of the body, when it has one. */
  eventId?: string;
  receiveCount: number;
  /** The handler's outcome (`acted`, `noop`, `rejected`…), `retry-after`, `retry` or `gave-up`. */
  outcome: string;
  reason: string;
  /** When the message comes back (ISO time), for `retry-after` and `retry`. */
  retryAt?: string;
  /** The handler's result, when it returned one. */
  result?: unknown;
  error?: string;
}

const OUTCOMES = Symbol.for('apprunner-guard.queue-delivery.outcomes');

/**
 * The per-message outcomes of a batch response (for the sandbox's timeline and for tests). They ride
 * on the response under a symbol, so Lambda, which serialises the response to JSON, never sees them.
 */
export function recordOutcomesOf(response: unknown): RecordOutcome[] | undefined {
  return typeof response === 'object' && response !== null
    ? (response as { [OUTCOMES]?: RecordOutcome[] })[OUTCOMES]
    : undefined;
}

/** True for an SQS event source mapping's batch (as opposed to a direct or Scheduler invocation). */
export function isSqsBatch(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((r) => (r as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs')
  );
}

/**
 * Wraps a function's per-event handler for queue delivery. An SQS batch is processed record by
 * record with Powertools Batch and answered with `{ batchItemFailures }`:
 * - a record whose handler returned (any outcome, `rejected` and `failed` included) is acknowledged;
 * - a body that is not JSON is a counted rejection, acknowledged, never retried;
 * - `RetryAfterError` (or `WakeAtError`): the message comes back after the job's delay (capped at
 *   SQS's 12 hours) — unless the event has waited so long that the delay would pass the job's
 *   maximum wait, or this is the queue's last receive before the DLQ: then `onGiveUp` reports it
 *   once and it is acknowledged;
 * - any other error: a batch item failure that comes back after {@link backoffSeconds} (and, after
 *   the redrive policy's receive count, waits in the DLQ).
 *
 * Anything that is not an SQS batch (Scheduler payloads, direct invocations) goes to the handler
 * unchanged.
 */
export function deliverFromQueue(eventHandler: EventHandler, options: QueueDeliveryOptions) {
  const maxWait = options.maxWaitSeconds ?? MAX_WAIT_SECONDS[options.job];
  const now = options.now ?? (() => Date.now());
  const logger = options.logger;

  const handleRecord = async (record: SQSRecord, context: Context, outcomes: RecordOutcome[]) => {
    const receiveCount = Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1);
    const base = { messageId: record.messageId, receiveCount };
    let event: unknown;
    try {
      event = JSON.parse(record.body);
    } catch (cause) {
      const error = new InvalidEventError('body', 'the queue message body is not JSON', { cause });
      await options.onReject(error, record.body);
      outcomes.push({ ...base, outcome: 'rejected', reason: error.message });
      return;
    }
    const eventId = (event as { id?: unknown } | null)?.id;
    const described = { ...base, ...(typeof eventId === 'string' ? { eventId } : {}) };
    try {
      const result = await eventHandler(event, context);
      const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
      outcomes.push({
        ...described,
        outcome: typeof r.outcome === 'string' ? r.outcome : 'returned',
        reason: typeof r.reason === 'string' ? r.reason : '',
        result,
      });
    } catch (error) {
      const delay = requestedDelay(error, now());
      if (delay !== undefined) {
        const waited = Math.max(0, (now() - enqueuedAt(record, event, now())) / 1000);
        if (waited + delay > maxWait || receiveCount >= QUEUE_DELIVERY.maxReceiveCount) {
          const err = error as Error;
          logger?.warn('gave up waiting', {
            job: options.job,
            eventId,
            waitedSeconds: Math.round(waited),
            maxWaitSeconds: maxWait,
            receiveCount,
            error: describeError(err),
          });
          await options.onGiveUp(event, err);
          outcomes.push({
            ...described,
            outcome: 'gave-up',
            reason: `waited ${formatSeconds(waited)} (at most ${formatSeconds(maxWait)}): ${describeError(err)}`,
            error: describeError(err),
          });
          return;
        }
      }
      // A message received at the start of this invocation may stay invisible at most 12 hours from
      // that receive; a minute of margin covers the batching window and the run so far.
      const seconds = Math.min(delay ?? backoffSeconds(receiveCount), MAX_VISIBILITY_SECONDS - 60);
      await changeVisibility(record, seconds);
      outcomes.push({
        ...described,
        outcome: delay !== undefined ? 'retry-after' : 'retry',
        reason: describeError(error),
        retryAt: new Date(now() + seconds * 1000).toISOString(),
        error: describeError(error),
      });
      throw error;
    }
  };

  const changeVisibility = async (record: SQSRecord, seconds: number) => {
    try {
      await options.visibility.changeVisibility(record.eventSourceARN, record.receiptHandle, seconds);
    } catch (error) {
      // The record is still reported as failed: it comes back after the queue's own visibility
      // timeout instead of the chosen delay, which is early, never lost.
      logger?.warn('could not set the message visibility', {
        job: options.job,
        messageId: record.messageId,
        seconds,
        error: describeError(error),
      });
    }
  };

  return async (event: unknown, context: Context): Promise<unknown> => {
    if (!isSqsBatch(event)) return eventHandler(event, context);
    const outcomes: RecordOutcome[] = [];
    const processor = new BatchProcessor(EventType.SQS);
    const response: SQSBatchResponse = await processPartialResponse(
      event,
      (record: SQSRecord) => handleRecord(record, context, outcomes),
      processor,
      // One record at a time: records share the logger's keys and the idempotency store, and a
      // full batch failure is an answer like any other (every record comes back on its own delay).
      { context, processInParallel: false, throwOnFullBatchFailure: false },
    );
    const answer: SQSBatchResponse = { batchItemFailures: [...response.batchItemFailures] };
    Object.defineProperty(answer, OUTCOMES, { value: outcomes, enumerable: false });
    return answer;
  };
}

/** The delay a job asked for, in seconds (`undefined` when the error is not a "come back later"). */
function requestedDelay(error: unknown, now: number): number | undefined {
  if (error instanceof RetryAfterError) return error.delaySeconds;
  if (error instanceof WakeAtError) return Math.max(1, Math.ceil((error.at.getTime() - now) / 1000));
  return undefined;
}

/** When the event entered the queue: the message's `SentTimestamp`, else the event's own `time`. */
function enqueuedAt(record: SQSRecord, event: unknown, now: number): number {
  const sent = Number(record.attributes?.SentTimestamp);
  if (Number.isFinite(sent) && sent > 0) return sent;
  const time = Date.parse(String((event as { time?: unknown } | null)?.time));
  return Number.isFinite(time) ? time : now;
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  return `${Math.round((s / 3600) * 10) / 10} h`;
}
