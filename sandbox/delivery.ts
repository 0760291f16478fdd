/**
 * Buffered delivery in the sandbox, as deployed: an event the bus routes to an event-driven function
 * is sent to that function's SQS queue (the stand-in of `sandbox/sqs.ts`, with the queue settings of
 * the template), and an event source mapping poller on the simulated clock receives batches,
 * invokes the handler with a Lambda-shaped SQS event, deletes what it acknowledged and leaves its
 * `batchItemFailures` to come back when their visibility ends; the redrive policy moves a message
 * that keeps failing to the function's DLQ.
 *
 * @module
 */
import type { SQSRecord } from 'aws-lambda';
import { queueRoutes } from '../infra/routes.ts';
import { QUEUE_DELIVERY, type QueueJob } from '../lib/core/delivery-policy.ts';
import type { SimClock, TaskHandle } from './clock.ts';
import type { FailedInvocation, InvocationTrigger, LambdaRuntime } from './lambda.ts';
import type { SqsStandIn } from './sqs.ts';

/** A message that reached a function's DLQ (the queue's redrive policy gave up on it). */
export type DeadLetter = FailedInvocation;

/** The queues of the stack and their pollers. */
export class QueueDelivery {
  private readonly pollers = new Map<string, { fn: QueueJob; at?: number; task?: TaskHandle }>();
  private readonly dlqs = new Map<string, QueueJob>();
  private readonly triggers = new Map<string, InvocationTrigger>();
  private readonly lastError = new Map<string, string>();
  private readonly seenDead = new Set<string>();

  constructor(
    private readonly clock: SimClock,
    private readonly sqs: SqsStandIn,
    private readonly lambda: LambdaRuntime,
    private readonly prefix: string,
    private readonly observe: { deadLetter(d: DeadLetter): void },
  ) {
    for (const { functionName: fn } of queueRoutes()) {
      const dlq = this.dlqName(fn);
      sqs.createQueue(dlq, { visibilityTimeoutSeconds: QUEUE_DELIVERY.visibilityTimeoutSeconds });
      sqs.createQueue(this.queueName(fn), {
        visibilityTimeoutSeconds: QUEUE_DELIVERY.visibilityTimeoutSeconds,
        redrive: { deadLetterQueue: dlq, maxReceiveCount: QUEUE_DELIVERY.maxReceiveCount },
      });
      this.pollers.set(this.queueName(fn), { fn });
      this.dlqs.set(dlq, fn);
    }
    sqs.onChange((queue) => {
      if (this.pollers.has(queue)) this.schedulePoll(queue);
      else if (this.dlqs.has(queue)) this.noticeDeadLetters(queue);
    });
  }

  /** The function's queue (named like the deployed stack's functions). */
  queueName(fn: string): string {
    return `${this.prefix}${fn}`;
  }

  dlqName(fn: string): string {
    return `${this.prefix}${fn}-dlq`;
  }

  /** True when the function reads its events from a queue. */
  has(fn: string): boolean {
    return this.pollers.has(this.queueName(fn));
  }

  /** Sends an event to the function's queue at `at` (what the EventBridge rule's target does). */
  send(fn: string, event: unknown, trigger: InvocationTrigger, at: number): void {
    this.clock.schedule(at, `send to the ${fn} queue`, () => {
      const id = this.sqs.send(this.queueName(fn), stringifyIteratively(event));
      this.triggers.set(id, trigger);
    });
  }

  /** What waits in each function's DLQ now. */
  deadLetters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [dlq, fn] of this.dlqs) {
      const d = this.sqs.depth(dlq);
      out[fn] = d.visible + d.inFlight + d.delayed;
    }
    return out;
  }

  /** (Re)schedules the queue's poller at the moment its next message becomes receivable. */
  private schedulePoll(queue: string): void {
    const poller = this.pollers.get(queue)!;
    const next = this.sqs.nextVisibleAt(queue);
    if (next === undefined) return;
    if (poller.task && poller.at !== undefined && poller.at <= next) return;
    poller.task?.cancel();
    poller.at = next;
    poller.task = this.clock.schedule(next, `poll the ${poller.fn} queue`, () => this.poll(queue));
  }

  private async poll(queue: string): Promise<void> {
    const poller = this.pollers.get(queue)!;
    poller.task = undefined;
    poller.at = undefined;
    const records = this.sqs.receive(queue, QUEUE_DELIVERY.batchSize);
    if (records.length > 0) {
      const triggers = records.map((r) => this.triggerOf(r));
      const { failed, error } = await this.lambda.invokeBatch(poller.fn, { Records: records }, triggers);
      for (const r of records) {
        if (error !== undefined || failed.has(r.messageId)) {
          this.lastError.set(
            r.messageId,
            error ?? failed.get(r.messageId) ?? 'reported as a batch item failure',
          );
          continue;
        }
        this.sqs.delete(queue, r.receiptHandle);
        this.triggers.delete(r.messageId);
        this.lastError.delete(r.messageId);
      }
    }
    this.schedulePoll(queue);
  }

  private triggerOf(r: SQSRecord): InvocationTrigger {
    return this.triggers.get(r.messageId) ?? { kind: 'event', ref: r.messageId, label: 'a queue message' };
  }

  private noticeDeadLetters(dlq: string): void {
    const fn = this.dlqs.get(dlq)!;
    for (const m of this.sqs.find(dlq)?.messages ?? []) {
      if (this.seenDead.has(m.id)) continue;
      this.seenDead.add(m.id);
      const trigger = this.triggers.get(m.id) ?? {
        kind: 'event' as const,
        ref: m.id,
        label: 'a queue message',
      };
      let payload: unknown = m.body;
      try {
        payload = JSON.parse(m.body);
      } catch {
        // A body that is not JSON is kept as it is.
      }
      this.observe.deadLetter({
        time: new Date(this.clock.now).toISOString(),
        function: fn,
        attempts: m.receiveCount,
        trigger,
        error: this.lastError.get(m.id) ?? 'unknown',
        payload,
      });
    }
  }
}

/**
 * `JSON.stringify` without recursion: EventBridge serialises any event it accepted into the
 * message body, however deeply nested, and a hostile 5,000-level event must reach the handler for
 * the handler stack's own limits to reject it (V8's `JSON.stringify` recurses and overflows).
 */
export function stringifyIteratively(value: unknown): string {
  const out: string[] = [];
  type Frame = { entries: Array<[string | undefined, unknown]>; i: number; array: boolean };
  const open = (v: unknown): Frame | undefined => {
    if (typeof v !== 'object' || v === null) {
      out.push(JSON.stringify(v) ?? 'null');
      return undefined;
    }
    const array = Array.isArray(v);
    out.push(array ? '[' : '{');
    const entries: Array<[string | undefined, unknown]> = array
      ? (v as unknown[]).map((x) => [undefined, x])
      : Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
    return { entries, i: 0, array };
  };
  const stack: Frame[] = [];
  const first = open(value);
  if (first) stack.push(first);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.i >= frame.entries.length) {
      out.push(frame.array ? ']' : '}');
      stack.pop();
      continue;
    }
    const [key, v] = frame.entries[frame.i]!;
    if (frame.i > 0) out.push(',');
    frame.i++;
    if (key !== undefined) out.push(`${JSON.stringify(key)}:`);
    const child = open(v);
    if (child) stack.push(child);
  }
  return out.join('');
}
