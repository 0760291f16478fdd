/** The ports of `guard dlq`: what it reads from SQS and asks of it. */

/** A queue as listed: its URL and name. */
export interface QueueRef {
  url: string;
  name: string;
}

/** What `GetQueueAttributes` says about a queue. */
export interface QueueState {
  arn: string;
  /** Receivable now (`ApproximateNumberOfMessages`). */
  visible: number;
  /** Received and hidden (`ApproximateNumberOfMessagesNotVisible`). */
  inFlight: number;
  /** Sent with a delay not yet over (`ApproximateNumberOfMessagesDelayed`). */
  delayed: number;
  /** The queue's own redrive policy, when it has one. */
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

/** A message read without taking it (visibility timeout 0): body and every attribute as text. */
export interface PeekedMessage {
  messageId: string;
  body: string;
  /** System attributes: `ApproximateReceiveCount`, `SentTimestamp`, `DeadLetterQueueSourceArn`… */
  attributes: Record<string, string>;
  /** String and Number message attributes (Binary ones are left out). */
  messageAttributes: Record<string, string>;
}

/** A message move task as `ListMessageMoveTasks` reports it. */
export interface MoveTaskView {
  taskHandle?: string;
  status: string;
  sourceArn: string;
  destinationArn?: string;
  moved: number;
  toMove?: number;
  failureReason?: string;
  startedAt?: number;
}

/** Port: what `guard dlq` reads from and asks of SQS. It never deletes a message. */
export interface DlqPort {
  /** Every queue whose name starts with `prefix` (all pages). */
  listQueues(prefix: string): Promise<QueueRef[]>;
  queueState(url: string): Promise<QueueState>;
  /** The queues whose redrive policy names this one as their dead-letter queue. */
  deadLetterSources(url: string): Promise<string[]>;
  /**
   * Up to `max` messages, each once, read with visibility timeout 0 so they stay where they are
   * (each read still counts as a receive). Stops after a few reads bring nothing new.
   */
  peek(url: string, max: number): Promise<PeekedMessage[]>;
  /** Starts SQS's message move task from a DLQ back to its source queue(s) (or `destinationArn`). */
  startMoveTask(sourceArn: string, destinationArn?: string): Promise<{ taskHandle: string }>;
  /** The most recent move tasks of a source queue, newest first. */
  listMoveTasks(sourceArn: string): Promise<MoveTaskView[]>;
}
