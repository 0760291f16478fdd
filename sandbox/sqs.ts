import { createHash } from 'node:crypto';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { SimClock } from './clock.ts';
import { ApiError } from './http.ts';
import type { Prng } from './prng.ts';

/** A queue's settings, as CreateQueue's `VisibilityTimeout` and `RedrivePolicy` attributes give them. */
export interface SandboxQueueOptions {
  visibilityTimeoutSeconds: number;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

/** SQS's limits the stand-in enforces. */
export const SQS_LIMITS = {
  /** VisibilityTimeout and ChangeMessageVisibility: 0 seconds to 12 hours. */
  maxVisibilitySeconds: 43_200,
  /** DelaySeconds: 0 to 15 minutes. */
  maxDelaySeconds: 900,
  /** ReceiveMessage MaxNumberOfMessages: 1 to 10. */
  maxReceive: 10,
  /** maxReceiveCount of a redrive policy: 1 to 1,000. */
  maxReceiveCount: 1000,
  /** A message body: at most 256 KiB. */
  maxBodyBytes: 262_144,
  /** Message attributes per message. */
  maxMessageAttributes: 10,
} as const;

/** A message attribute as the wire carries it. */
export interface SqsAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

interface StoredMessage {
  id: string;
  seq: number;
  body: string;
  md5OfBody: string;
  attributes: Record<string, SqsAttributeValue>;
  sentAt: number;
  /** When it can be received (a delay, or the visibility timeout of its last receive). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The handle of its latest receive: only this one deletes it or changes its visibility. */
  receiptHandle?: string;
  /** Set when redrive moved it to a DLQ: the queue it came from (SQS's `DeadLetterQueueSourceArn`). */
  deadLetterSourceArn?: string;
}

/** A queue as the stand-in holds it. */
export interface SimQueue {
  name: string;
  url: string;
  arn: string;
  createdAt: number;
  options: SandboxQueueOptions;
  /** Dead-letter target, resolved to its name when the queue is created. */
  deadLetterQueue?: string;
  messages: StoredMessage[];
}

/** A message move task (`StartMessageMoveTask`), as `ListMessageMoveTasks` reports it. */
export interface MoveTask {
  handle: string;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  sourceArn: string;
  destinationArn?: string;
  startedAt: number;
  maxPerSecond: number;
  toMove: number;
  moved: number;
  failureReason?: string;
}

/** The error of an unknown queue (name, URL or ARN). */
export function queueDoesNotExist(): ApiError {
  return new ApiError('QueueDoesNotExist', 'The specified queue does not exist.');
}

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/**
 * SQS's MD5 of message attributes (the SDK checks it): for each attribute, sorted by name, the
 * length-prefixed name, data type, a transport byte (1 string, 2 binary) and the length-prefixed value.
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsAttributeValue>): string {
  const parts: Buffer[] = [];
  const lengthPrefixed = (b: Buffer) => {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(b.length);
    parts.push(n, b);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name]!;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(a.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

/**
 * SQS stand-in: standard queues whose delays, visibility timeouts and redrive run on the simulated
 * clock. The in-process API is what the sandbox's event-source poller uses; `sqs-api.ts` serves the
 * same queues to the real `@aws-sdk/client-sqs` over HTTP.
 *
 * Semantics follow SQS: a received message is hidden for the queue's visibility timeout (or the
 * receive's own); each receive counts (`ApproximateReceiveCount`) and gets a new receipt handle;
 * a message whose receive count would exceed the redrive policy's `maxReceiveCount` is moved to the
 * dead-letter queue instead of being returned (keeping its id, sent time and receive count, with
 * `DeadLetterQueueSourceArn` set); only the latest receipt handle deletes a message or changes its
 * visibility (stricter than SQS, which may silently ignore a stale delete: a stale handle is a bug
 * in the consumer, and the sandbox makes it visible). Message retention is not simulated.
 */
export class SqsStandIn {
  private readonly queues = new Map<string, SimQueue>();
  private readonly listeners: Array<(queue: string) => void> = [];
  private readonly tasks: MoveTask[] = [];
  private seq = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly prng: Prng,
    private readonly opts: { account: string; region: string },
  ) {}

  /** The queue URL SQS gives a queue of this name. */
  queueUrl(name: string): string {
    return `https://sqs.${this.opts.region}.amazonaws.com/${this.opts.account}/${name}`;
  }

  /** The queue ARN SQS gives a queue of this name. */
  queueArn(name: string): string {
    return `arn:aws:sqs:${this.opts.region}:${this.opts.account}:${name}`;
  }

  /**
   * Creates a queue (a standard queue: FIFO is not simulated). Creating an existing queue with the
   * same settings returns it; with other settings it is SQS's `QueueNameExists`. A redrive target
   * must exist first, as SQS requires.
   */
  createQueue(name: string, options: SandboxQueueOptions): { url: string; arn: string } {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw new ApiError(
        'InvalidParameterValue',
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: ${name}`,
      );
    }
    checkVisibility(options.visibilityTimeoutSeconds, 'VisibilityTimeout');
    let deadLetterQueue: string | undefined;
    if (options.redrive) {
      const { maxReceiveCount } = options.redrive;
      if (
        !Number.isInteger(maxReceiveCount) ||
        maxReceiveCount < 1 ||
        maxReceiveCount > SQS_LIMITS.maxReceiveCount
      ) {
        throw new ApiError(
          'InvalidParameterValue',
          `Value ${maxReceiveCount} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${maxReceiveCount}, valid values are from 1 to 1000 both inclusive.`,
        );
      }
      const target = this.find(options.redrive.deadLetterQueue);
      if (!target) {
        throw new ApiError(
          'InvalidParameterValue',
          `Value ${options.redrive.deadLetterQueue} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
        );
      }
      if (target.name === name) {
        throw new ApiError(
          'InvalidParameterValue',
          'Value for parameter RedrivePolicy is invalid. Reason: Dead letter target cannot be the queue itself.',
        );
      }
      deadLetterQueue = target.name;
    }
    const existing = this.queues.get(name);
    if (existing) {
      const same =
        existing.options.visibilityTimeoutSeconds === options.visibilityTimeoutSeconds &&
        existing.deadLetterQueue === deadLetterQueue &&
        existing.options.redrive?.maxReceiveCount === options.redrive?.maxReceiveCount;
      if (!same) {
        throw new ApiError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute(s)`,
        );
      }
      return { url: existing.url, arn: existing.arn };
    }
    const q: SimQueue = {
      name,
      url: this.queueUrl(name),
      arn: this.queueArn(name),
      createdAt: this.clock.now,
      options: {
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
        ...(options.redrive ? { redrive: { ...options.redrive } } : {}),
      },
      ...(deadLetterQueue ? { deadLetterQueue } : {}),
      messages: [],
    };
    this.queues.set(name, q);
    return { url: q.url, arn: q.arn };
  }

  /** Every queue, as `{ name, url, arn }`, in creation order. */
  list(): Array<{ name: string; url: string; arn: string }> {
    return [...this.queues.values()].map(({ name, url, arn }) => ({ name, url, arn }));
  }

  /** A queue's settings (the dead-letter target as the queue's name). */
  settings(
    queue: string,
  ): SandboxQueueOptions & { name: string; url: string; arn: string; createdAt: number } {
    const q = this.get(queue);
    return {
      name: q.name,
      url: q.url,
      arn: q.arn,
      createdAt: q.createdAt,
      visibilityTimeoutSeconds: q.options.visibilityTimeoutSeconds,
      ...(q.deadLetterQueue && q.options.redrive
        ? {
            redrive: {
              deadLetterQueue: q.deadLetterQueue,
              maxReceiveCount: q.options.redrive.maxReceiveCount,
            },
          }
        : {}),
    };
  }

  /** The queues whose redrive policy names `queue` as their dead-letter queue (ListDeadLetterSourceQueues). */
  deadLetterSources(queue: string): string[] {
    const dlq = this.get(queue);
    return [...this.queues.values()].filter((q) => q.deadLetterQueue === dlq.name).map((q) => q.name);
  }

  /**
   * Sends a message; it becomes receivable after `delaySeconds` (0–900). Returns the message id.
   * Message attributes are String attributes.
   */
  send(
    queue: string,
    body: string,
    options: { delaySeconds?: number; messageAttributes?: Record<string, string> } = {},
  ): string {
    const attributes: Record<string, SqsAttributeValue> = {};
    for (const [name, value] of Object.entries(options.messageAttributes ?? {})) {
      attributes[name] = { DataType: 'String', StringValue: value };
    }
    return this.sendMessage(queue, body, { delaySeconds: options.delaySeconds, attributes }).messageId;
  }

  /** `send` with typed attributes (what SendMessage carries); returns the id and the MD5s. */
  sendMessage(
    queue: string,
    body: string,
    options: { delaySeconds?: number | undefined; attributes?: Record<string, SqsAttributeValue> },
  ): { messageId: string; md5OfBody: string; md5OfMessageAttributes?: string } {
    const q = this.get(queue);
    if (body.length === 0) {
      throw new ApiError('MissingParameter', 'The request must contain the parameter MessageBody.');
    }
    if (Buffer.byteLength(body, 'utf8') > SQS_LIMITS.maxBodyBytes) {
      throw new ApiError(
        'InvalidParameterValue',
        'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
      );
    }
    // SQS accepts #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
    if (hasInvalidCharacter(body)) {
      throw new ApiError(
        'InvalidMessageContents',
        'Invalid binary character in the message body: only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF are allowed.',
      );
    }
    const delay = options.delaySeconds ?? 0;
    if (!Number.isInteger(delay) || delay < 0 || delay > SQS_LIMITS.maxDelaySeconds) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
      );
    }
    const attributes = options.attributes ?? {};
    if (Object.keys(attributes).length > SQS_LIMITS.maxMessageAttributes) {
      throw new ApiError(
        'InvalidParameterValue',
        `Number of message attributes [${Object.keys(attributes).length}] exceeds the allowed maximum [10].`,
      );
    }
    for (const [name, a] of Object.entries(attributes)) {
      if (!/^(String|Number|Binary)(\..+)?$/.test(a.DataType)) {
        throw new ApiError(
          'InvalidParameterValue',
          `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
        );
      }
      if ((a.StringValue ?? a.BinaryValue ?? '') === '') {
        throw new ApiError(
          'InvalidParameterValue',
          `Message (user) attribute '${name}' must contain a non-empty value of type '${a.DataType}'.`,
        );
      }
    }
    const now = this.clock.now;
    const m: StoredMessage = {
      id: this.prng.uuid(),
      seq: this.seq++,
      body,
      md5OfBody: md5(body),
      attributes: structuredClone(attributes),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    q.messages.push(m);
    this.changed(q);
    return {
      messageId: m.id,
      md5OfBody: m.md5OfBody,
      ...(Object.keys(attributes).length > 0
        ? { md5OfMessageAttributes: md5OfMessageAttributes(attributes) }
        : {}),
    };
  }

  /**
   * Receives up to `max` (1–10) receivable messages, oldest first, as Lambda's event source mapping
   * hands them to a function, and hides each for the queue's visibility timeout (or
   * `visibilityTimeoutSeconds`: 0 peeks). A message whose receive count would exceed the redrive
   * policy's `maxReceiveCount` goes to the dead-letter queue instead.
   */
  receive(queue: string, max: number, visibilityTimeoutSeconds?: number): SQSRecord[] {
    const q = this.get(queue);
    if (!Number.isInteger(max) || max < 1 || max > SQS_LIMITS.maxReceive) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const hide = visibilityTimeoutSeconds ?? q.options.visibilityTimeoutSeconds;
    checkVisibility(hide, 'VisibilityTimeout');
    const now = this.clock.now;
    const due = q.messages
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt || a.seq - b.seq);
    const out: SQSRecord[] = [];
    const moved = new Set<SimQueue>();
    for (const m of due) {
      if (out.length >= max) break;
      const redrive = q.options.redrive;
      if (redrive && q.deadLetterQueue && m.receiveCount + 1 > redrive.maxReceiveCount) {
        const dlq = this.queues.get(q.deadLetterQueue);
        if (dlq) {
          q.messages.splice(q.messages.indexOf(m), 1);
          delete m.receiptHandle;
          m.visibleAt = now;
          m.deadLetterSourceArn = q.arn;
          dlq.messages.push(m);
          moved.add(dlq);
          continue;
        }
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.receiptHandle = this.newReceiptHandle(q, m);
      m.visibleAt = now + hide * 1000;
      out.push(this.record(q, m));
    }
    if (out.length > 0 || moved.size > 0) this.changed(q);
    for (const dlq of moved) this.changed(dlq);
    return out;
  }

  /** Deletes a received message; only its latest receipt handle does (else `ReceiptHandleIsInvalid`). */
  delete(queue: string, receiptHandle: string): void {
    const q = this.get(queue);
    const m = this.byHandle(q, receiptHandle);
    q.messages.splice(q.messages.indexOf(m), 1);
    this.changed(q);
  }

  /**
   * Sets when a received message becomes receivable again, `seconds` (0–43,200) from now.
   * A message not in flight is SQS's `MessageNotInflight`.
   */
  changeVisibility(queue: string, receiptHandle: string, seconds: number): void {
    const q = this.get(queue);
    checkVisibility(seconds, 'VisibilityTimeout');
    const m = this.byHandle(q, receiptHandle);
    const now = this.clock.now;
    if (m.visibleAt <= now)
      throw new ApiError('MessageNotInflight', 'The message referred to is not in flight.');
    m.visibleAt = now + seconds * 1000;
    this.changed(q);
  }

  /** Simulated time (epoch ms) when the next message becomes receivable: now if one is; undefined if empty. */
  nextVisibleAt(queue: string): number | undefined {
    const q = this.get(queue);
    if (q.messages.length === 0) return undefined;
    const now = this.clock.now;
    return Math.max(now, Math.min(...q.messages.map((m) => m.visibleAt)));
  }

  /** Messages receivable now, received and hidden, and sent with a delay not yet over. */
  depth(queue: string): { visible: number; inFlight: number; delayed: number } {
    const q = this.get(queue);
    const now = this.clock.now;
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of q.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiptHandle !== undefined) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /**
   * Calls `listener` with the queue's name whenever what it can deliver changes: a message sent,
   * received, deleted, its visibility changed, moved to or from it. Time passing is no change: a
   * poller schedules itself on the clock at {@link nextVisibleAt}. Listeners are called
   * synchronously, inside the call that changed the queue.
   */
  onChange(listener: (queue: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Starts a message move task (StartMessageMoveTask): from a dead-letter queue back to the queue
   * each message came from, or to `destination`. The task moves the messages receivable when it
   * starts, at `maxPerSecond` (default 500) messages per simulated second, resetting their receive
   * counts. One running task per source queue.
   */
  startMoveTask(source: string, destination?: string, maxPerSecond?: number): MoveTask {
    const src = this.find(source);
    if (!src)
      throw new ApiError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
    if (this.deadLetterSources(src.name).length === 0) {
      throw new ApiError('InvalidParameterValue', `Source queue must be configured as a Dead Letter Queue.`);
    }
    const dst = destination === undefined ? undefined : this.find(destination);
    if (destination !== undefined && !dst) {
      throw new ApiError(
        'ResourceNotFoundException',
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
      );
    }
    if (dst && dst.name === src.name) {
      throw new ApiError('InvalidParameterValue', 'Source and destination queues must be different.');
    }
    const rate = maxPerSecond ?? 500;
    if (!Number.isInteger(rate) || rate < 1 || rate > 500) {
      throw new ApiError('InvalidParameterValue', 'MaxNumberOfMessagesPerSecond must be between 1 and 500.');
    }
    if (this.tasks.some((t) => t.sourceArn === src.arn && t.status === 'RUNNING')) {
      throw new ApiError(
        'UnsupportedOperation',
        'There is already a task running. Only one active task is allowed for each source queue arn at a given time.',
      );
    }
    const now = this.clock.now;
    const batch = src.messages.filter((m) => m.visibleAt <= now);
    const task: MoveTask = {
      handle: Buffer.from(JSON.stringify({ taskId: this.prng.uuid(), sourceArn: src.arn })).toString(
        'base64',
      ),
      status: 'RUNNING',
      sourceArn: src.arn,
      ...(dst ? { destinationArn: dst.arn } : {}),
      startedAt: now,
      maxPerSecond: rate,
      toMove: batch.length,
      moved: 0,
    };
    this.tasks.push(task);
    const step = () => {
      const at = this.clock.now;
      let n = 0;
      while (batch.length > 0 && n < rate) {
        const m = batch.shift()!;
        const index = src.messages.indexOf(m);
        // Deleted or received meanwhile: not moved by this task.
        if (index < 0 || m.visibleAt > at) continue;
        const target = dst ?? (m.deadLetterSourceArn ? this.find(m.deadLetterSourceArn) : undefined);
        if (!target) {
          task.status = 'FAILED';
          task.failureReason = `The message ${m.id} has no source queue to return to (DeadLetterQueueSourceArn); give a DestinationArn.`;
          this.changed(src);
          return;
        }
        src.messages.splice(index, 1);
        delete m.receiptHandle;
        delete m.deadLetterSourceArn;
        delete m.firstReceiveAt;
        m.receiveCount = 0;
        m.visibleAt = at;
        target.messages.push(m);
        task.moved++;
        n++;
        this.changed(target);
      }
      this.changed(src);
      if (batch.length === 0) task.status = 'COMPLETED';
      else this.clock.schedule(at + 1000, `sqs move task ${src.name}`, step);
    };
    this.clock.schedule(now + 1000, `sqs move task ${src.name}`, step);
    return { ...task };
  }

  /** The move tasks of a source queue, newest first (ListMessageMoveTasks). */
  listMoveTasks(source: string): MoveTask[] {
    const src = this.find(source);
    if (!src)
      throw new ApiError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
    return this.tasks
      .filter((t) => t.sourceArn === src.arn)
      .reverse()
      .map((t) => ({ ...t }));
  }

  /** The queue a name, URL or ARN names, if it exists. */
  find(queue: string): SimQueue | undefined {
    const byName = this.queues.get(queue);
    if (byName) return byName;
    for (const q of this.queues.values()) {
      if (q.url === queue || q.arn === queue) return q;
    }
    // A URL on another host (the SDK may address the local endpoint): the last path segment
    // after the account.
    const m = /\/(\d{12})\/([A-Za-z0-9_-]{1,80})$/.exec(queue);
    if (m && m[1] === this.opts.account) return this.queues.get(m[2]!);
    return undefined;
  }

  private get(queue: string): SimQueue {
    const q = this.find(queue);
    if (!q) throw queueDoesNotExist();
    return q;
  }

  private byHandle(q: SimQueue, receiptHandle: string): StoredMessage {
    const m = q.messages.find((x) => x.receiptHandle === receiptHandle);
    if (!m) {
      throw new ApiError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    return m;
  }

  private newReceiptHandle(q: SimQueue, m: StoredMessage): string {
    return Buffer.from(`${q.name}#${m.id}#${m.receiveCount}#${this.prng.hex(16)}`).toString('base64');
  }

  private record(q: SimQueue, m: StoredMessage): SQSRecord {
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, a] of Object.entries(m.attributes)) {
      messageAttributes[name] = {
        dataType: a.DataType,
        ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
        stringListValues: [],
        binaryListValues: [],
      };
    }
    return {
      messageId: m.id,
      receiptHandle: m.receiptHandle!,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: `AIDASANDBOX${this.opts.account}`,
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? this.clock.now),
        ...(m.deadLetterSourceArn ? { DeadLetterQueueSourceArn: m.deadLetterSourceArn } : {}),
      },
      messageAttributes,
      md5OfBody: m.md5OfBody,
      ...(Object.keys(m.attributes).length > 0
        ? { md5OfMessageAttributes: md5OfMessageAttributes(m.attributes) }
        : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      awsRegion: this.opts.region,
    };
  }

  /** Tells the listeners (synchronously: a listener schedules on the clock, it does not receive). */
  private changed(q: SimQueue): void {
    for (const listener of this.listeners) listener(q.name);
  }
}

/** True when the body holds a character SQS refuses (control characters other than tab, LF, CR; U+FFFE, U+FFFF). */
function hasInvalidCharacter(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if ((c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) || c === 0xfffe || c === 0xffff) return true;
  }
  return false;
}

function checkVisibility(seconds: number, parameter: string): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > SQS_LIMITS.maxVisibilitySeconds) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value ${seconds} for parameter ${parameter} is invalid. Reason: must be between 0 and 43200.`,
    );
  }
}
