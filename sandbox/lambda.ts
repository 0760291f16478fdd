import type { Context, SQSEvent } from 'aws-lambda';
import { recordOutcomesOf } from '../lib/core/queue-delivery.ts';
import type { SimClock } from './clock.ts';
import { lambdaContext } from './guard-env.ts';
import type { Prng } from './prng.ts';

/** A Lambda handler as `functions/*.ts` export it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** What started an invocation. */
export interface InvocationTrigger {
  kind: 'event' | 'schedule' | 'direct';
  /** Event id, schedule name + scheduled time, or a label. */
  ref: string;
  /** A short description for the timeline (`DeploymentFailed payments-api`). */
  label: string;
  /** Set on the second copy of a duplicated delivery. */
  duplicate?: boolean;
}

/** One attempt of one async invocation. */
export interface Invocation {
  time: string;
  function: string;
  attempt: number;
  trigger: InvocationTrigger;
  /** What the handler returned (absent when it threw). */
  result?: unknown;
  /**
   * `outcome` of the result, or `error` when the handler threw. A queue message (see
   * `sandbox/delivery.ts`) also comes to `retry-after` (the job asked to come back later) or
   * `gave-up` (it waited longer than the job's maximum and was reported once).
   */
  outcome: string;
  reason: string;
  error?: string;
  /** When a queue message that failed comes back (ISO time). */
  retryAt?: string;
}

/** The on-failure record of an async invocation that failed every attempt (what would go to the DLQ). */
export interface FailedInvocation {
  time: string;
  function: string;
  attempts: number;
  trigger: InvocationTrigger;
  error: string;
  payload: unknown;
}

/** Lambda's async-invoke behaviour the sandbox reproduces. */
export interface LambdaSettings {
  functionPrefix: string;
  account: string;
  region: string;
  /** Delays before the retries (Lambda: about one minute, then two). */
  retryDelaysSeconds: number[];
  /** Real milliseconds the handler gets (`getRemainingTimeInMillis`). */
  timeoutMs: number;
  /** Per-function `timeoutMs` (serverless.yml `timeout` of the function), where it differs. */
  timeoutsMs?: Record<string, number>;
}

/**
 * Runs handlers the way Lambda's asynchronous invoke does: the event is queued, the handler runs;
 * a thrown error is retried after a delay (twice by default); when every attempt failed the
 * invocation becomes an on-failure record. A returned value — whatever its outcome — is success.
 */
export class LambdaRuntime {
  readonly invocations: Invocation[] = [];
  readonly failures: FailedInvocation[] = [];

  constructor(
    private readonly clock: SimClock,
    private readonly handlers: ReadonlyMap<string, LambdaHandler>,
    private readonly prng: Prng,
    private readonly settings: LambdaSettings,
    private readonly observe: {
      /** Called when an attempt starts; the returned function is called with its result. */
      begin(): (i: Invocation) => void;
      failure(f: FailedInvocation): void;
    },
  ) {}

  /** The functions it can run. */
  functionNames(): string[] {
    return [...this.handlers.keys()];
  }

  /** Maps a Lambda function ARN of the sandbox stack to a function name. */
  functionOfArn(arn: string): string | undefined {
    const m = /:function:([^:]+)(:[^:]+)?$/.exec(arn);
    if (!m) return undefined;
    const name = m[1]!;
    return name.startsWith(this.settings.functionPrefix)
      ? name.slice(this.settings.functionPrefix.length)
      : undefined;
  }

  /** Queues an asynchronous invocation at `at` (default now). */
  invokeAsync(fn: string, payload: unknown, trigger: InvocationTrigger, at = this.clock.now): void {
    this.clock.schedule(at, `invoke ${fn}`, () => this.attempt(fn, payload, trigger, 1));
  }

  /**
   * Invokes a function synchronously with a batch of queue messages, as an SQS event source
   * mapping does, and records one invocation per message (its receive count as the attempt).
   * Returns the messages the handler reported as batch item failures (with why), or the error it
   * threw (then every message of the batch failed).
   */
  async invokeBatch(
    fn: string,
    event: SQSEvent,
    triggers: readonly InvocationTrigger[],
  ): Promise<{ failed: Map<string, string>; error?: string }> {
    const time = new Date(this.clock.now).toISOString();
    const handler = this.handlers.get(fn);
    const finishers = event.Records.map(() => this.observe.begin());
    const failed = new Map<string, string>();
    let error: string | undefined;
    let result: unknown;
    if (!handler)
      error = `ResourceNotFoundException: Function not found: ${this.settings.functionPrefix}${fn}`;
    else {
      // The handler sees the simulated clock as a Lambda sees the real one (SQS's timestamps are on
      // the same clock): how long a message has waited is measured against it.
      const realNow = Date.now;
      Date.now = () => this.clock.now;
      try {
        result = await handler(event, this.context(fn));
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      } finally {
        Date.now = realNow;
      }
    }
    const failures = (result as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined)
      ?.batchItemFailures;
    const outcomes = new Map((recordOutcomesOf(result) ?? []).map((o) => [o.messageId, o]));
    event.Records.forEach((record, i) => {
      const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
      const o = outcomes.get(record.messageId);
      const threw =
        error ?? (failures?.some((f) => f.itemIdentifier === record.messageId) ? o?.error : undefined);
      if (threw !== undefined || failures?.some((f) => f.itemIdentifier === record.messageId)) {
        failed.set(record.messageId, threw ?? 'reported as a batch item failure');
      }
      const back = o?.retryAt ? ` — back at ${o.retryAt.slice(11, 19)}` : '';
      const invocation: Invocation = {
        time,
        function: fn,
        attempt,
        trigger: triggers[i]!,
        ...(o?.result === undefined ? {} : { result: o.result }),
        outcome:
          error !== undefined ? 'error' : o?.outcome === 'retry' ? 'error' : (o?.outcome ?? 'returned'),
        reason: `${error ?? o?.reason ?? ''}${back}`,
        ...(threw !== undefined ? { error: threw } : {}),
        ...(o?.retryAt ? { retryAt: o.retryAt } : {}),
      };
      this.invocations.push(invocation);
      finishers[i]!(invocation);
    });
    return { failed, ...(error !== undefined ? { error } : {}) };
  }

  /**
   * Invokes a function synchronously, as a Lambda Function URL does (the Slack actions endpoint),
   * with the simulated clock as `Date.now`; records the invocation and returns what the handler
   * returned (a thrown error is rethrown after it is recorded).
   */
  async invokeSync(fn: string, event: unknown, trigger: InvocationTrigger): Promise<unknown> {
    const time = new Date(this.clock.now).toISOString();
    const handler = this.handlers.get(fn);
    if (!handler)
      throw new Error(`ResourceNotFoundException: Function not found: ${this.settings.functionPrefix}${fn}`);
    const finish = this.observe.begin();
    const realNow = Date.now;
    Date.now = () => this.clock.now;
    let result: unknown;
    let failed: unknown;
    try {
      result = await handler(copyPayload(event), this.context(fn));
    } catch (error) {
      failed = error;
    } finally {
      Date.now = realNow;
    }
    const status = (result as { statusCode?: unknown } | undefined)?.statusCode;
    const message =
      failed === undefined
        ? ''
        : failed instanceof Error
          ? `${failed.name}: ${failed.message}`
          : String(failed);
    const invocation: Invocation =
      failed === undefined
        ? {
            time,
            function: fn,
            attempt: 1,
            trigger,
            result,
            outcome: typeof status === 'number' ? `HTTP ${status}` : 'returned',
            reason: '',
          }
        : { time, function: fn, attempt: 1, trigger, outcome: 'error', reason: message, error: message };
    this.invocations.push(invocation);
    finish(invocation);
    if (failed !== undefined) throw failed;
    return result;
  }

  private context(fn: string): Context {
    return lambdaContext({
      functionName: `${this.settings.functionPrefix}${fn}`,
      region: this.settings.region,
      account: this.settings.account,
      requestId: this.prng.uuid(),
      timeoutMs: this.settings.timeoutsMs?.[fn] ?? this.settings.timeoutMs,
      logStreamName: 'sandbox',
    });
  }

  private async attempt(
    fn: string,
    payload: unknown,
    trigger: InvocationTrigger,
    attempt: number,
  ): Promise<void> {
    const time = new Date(this.clock.now).toISOString();
    const handler = this.handlers.get(fn);
    const finish = this.observe.begin();
    let invocation: Invocation;
    let failed: string | undefined;
    if (!handler) {
      failed = `ResourceNotFoundException: Function not found: ${this.settings.functionPrefix}${fn}`;
      invocation = { time, function: fn, attempt, trigger, outcome: 'error', reason: failed, error: failed };
    } else {
      try {
        const result = await handler(copyPayload(payload), this.context(fn));
        const r = (typeof result === 'object' && result !== null ? result : {}) as {
          outcome?: unknown;
          reason?: unknown;
        };
        invocation = {
          time,
          function: fn,
          attempt,
          trigger,
          result,
          outcome: typeof r.outcome === 'string' ? r.outcome : 'returned',
          reason: typeof r.reason === 'string' ? r.reason : '',
        };
      } catch (error) {
        failed = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        invocation = {
          time,
          function: fn,
          attempt,
          trigger,
          outcome: 'error',
          reason: failed,
          error: failed,
        };
      }
    }
    this.invocations.push(invocation);
    finish(invocation);
    if (failed === undefined) return;
    const delay = this.settings.retryDelaysSeconds[attempt - 1];
    if (delay !== undefined && handler) {
      this.clock.schedule(this.clock.now + delay * 1000, `retry ${fn}`, () =>
        this.attempt(fn, payload, trigger, attempt + 1),
      );
      return;
    }
    const record: FailedInvocation = {
      time: new Date(this.clock.now).toISOString(),
      function: fn,
      attempts: attempt,
      trigger,
      error: failed,
      payload,
    };
    this.failures.push(record);
    this.observe.failure(record);
  }
}

/**
 * A fresh copy of a JSON payload, as Lambda hands each attempt a newly parsed event. Iterative
 * (an explicit stack, not `structuredClone`, which recurses): Lambda parses payloads without
 * recursing, so a hostile event nested thousands of levels deep must reach the handler here too,
 * for the handler stack's own limits to reject it.
 */
export function copyPayload(payload: unknown): unknown {
  const copyOf = (v: unknown): unknown =>
    typeof v !== 'object' || v === null ? v : Array.isArray(v) ? new Array(v.length) : {};
  const root = copyOf(payload);
  const stack: Array<[from: object, to: Record<string, unknown>]> = [];
  if (typeof root === 'object' && root !== null)
    stack.push([payload as object, root as Record<string, unknown>]);
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const [key, value] of Object.entries(from)) {
      const copy = copyOf(value);
      to[key] = copy;
      if (typeof copy === 'object' && copy !== null)
        stack.push([value as object, copy as Record<string, unknown>]);
    }
  }
  return root;
}
