import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { checkEventLimits } from '../events/limits.ts';
import { classifyError, describeError, InvalidEventError, RetryAfterError, WakeAtError } from './errors.ts';
import type { Job } from './guard-event.ts';
import type { JobResult } from './outcomes.ts';
import { SCHEDULED_TIME, type WakeUps } from './ports/wake-ups.ts';
import { SECOND_MS } from './time.ts';

export type { JobResult } from './outcomes.ts';

/** What a handler returns: a job result, or a rejection of an event that failed validation. */
export type HandlerResult = JobResult | { outcome: 'rejected'; reason: string; field: string };

/** Context a use case gets besides its input and ports. */
export interface RunContext {
  logger: Logger;
  /** Milliseconds before Lambda stops this invocation. */
  remainingMs(): number;
}

/** The parsed input and the key that makes it idempotent. */
export interface Parsed<T> {
  /** Idempotency key: the EventBridge event id, or schedule + scheduled time. */
  key: string;
  input: T;
  /** Keys appended to every log line of this invocation (service ARN, status…). */
  logKeys?: Record<string, unknown>;
  /**
   * Set for a direct Scheduler invocation (there is no queue to retry it): how to invoke the job
   * again when it asks to retry after a delay or at a time. See {@link withGuard}.
   */
  again?: Again;
}

/** How a Scheduler-invoked job is invoked again (docs/architecture.md, "Time"). */
export interface Again {
  /** The payload Scheduler delivered; sent again with a fresh `scheduledTime` and `firstAttemptAt`. */
  payload: Record<string, unknown>;
  /** The scheduled time of this invocation: the base of the next attempt's time. */
  now: string;
  /** When the first attempt of this payload was scheduled (this one's `now` when absent). */
  firstAttemptAt?: string;
}

/** How one Lambda is wired: parse → one use case → result. */
export interface GuardHandlerSpec<T> {
  job: Job;
  logger: Logger;
  /** Validates the raw event; throws `InvalidEventError` for bad input. */
  parse(raw: unknown): Parsed<T>;
  /**
   * Makes a rejection visible (metric, alert): called once per rejected event, after it is
   * logged. See `createRejectionHandler` in `lib/rejections.ts`. An error it throws is not
   * caught, so Lambda retries the event.
   */
  onReject(error: InvalidEventError, raw: unknown): Promise<void>;
  run(input: T, ctx: RunContext): Promise<JobResult>;
  /** Alerts a human about a terminal failure (a guard event, or SNS for the notifier itself). */
  reportFailure(input: T, error: Error, ctx: RunContext): Promise<void>;
  /** Powertools persistence; `false` only where the job is idempotent by construction. */
  persistenceStore: BasePersistenceLayer | false;
  /**
   * Readies what `parse` needs (the targets resolved through Organizations), before each event. A
   * terminal error from it is the event's `failed` result (it reports the failure itself, once);
   * any other is thrown, so the event is retried.
   */
  prepare?: () => Promise<void>;
  /** How long a completed key is remembered. EventBridge retries for up to 24 hours. */
  idempotencyTtlSeconds?: number;
  /** Wakes a Scheduler-invoked job again (see {@link Parsed.again}); without it those errors are thrown. */
  wakeUps?: WakeUps;
  /**
   * The longest a Scheduler-invoked payload keeps coming back, from its first attempt; beyond it
   * the failure is reported once and the result is `failed`.
   */
  maxWaitSeconds?: number;
}

/**
 * Builds a Lambda handler with the shared stack: Powertools Logger context, size and depth limits
 * checked before any recursive work (an oversized or deeply nested event is rejected, never a
 * stack overflow), parsing (a bad event is a logged, counted, terminal rejection, never a crash
 * loop), Powertools idempotency keyed on
 * {@link Parsed.key}, and error classification: retryable errors are thrown so Lambda retries
 * and the DLQ keeps the event; terminal ones are logged, reported and returned, and recorded as
 * the idempotent result so a redelivery does not alert twice. "Retry after" and "wake at" are
 * thrown too (the queue delivers the event again after the delay), except in a direct Scheduler
 * invocation ({@link Parsed.again}), where there is no queue: the payload is scheduled again with
 * the wake-up port, bounded by the job's maximum wait (docs/architecture.md, "Time").
 */
export function withGuard<T>(spec: GuardHandlerSpec<T>) {
  const { logger } = spec;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: spec.idempotencyTtlSeconds ?? 24 * 60 * 60,
    throwOnNoIdempotencyKey: true,
  });

  const body = async (
    envelope: { key: string; input: T; again?: Again },
    context: Context,
  ): Promise<JobResult> => {
    const ctx: RunContext = { logger, remainingMs: () => context.getRemainingTimeInMillis() };
    try {
      const result = await spec.run(envelope.input, ctx);
      logger.info('job finished', { outcome: result.outcome, reason: result.reason });
      return result;
    } catch (error) {
      if (
        envelope.again &&
        spec.wakeUps &&
        (error instanceof RetryAfterError || error instanceof WakeAtError)
      ) {
        return comeBackLater(error, envelope.input, envelope.key, envelope.again, spec.wakeUps, ctx);
      }
      if (classifyError(error) !== 'terminal') throw error;
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error('terminal failure', { error: err });
      await spec.reportFailure(envelope.input, err, ctx);
      return { outcome: 'failed', reason: describeError(err) };
    }
  };

  /**
   * "Retry after" or "wake at" in a direct Scheduler invocation: the same payload is scheduled
   * again with the wake-up port (at the scheduled time + the delay, or the requested time), carrying
   * the first attempt's time. Past the job's maximum wait it is reported once and `failed`.
   * The result is recorded as this invocation's idempotent result; the wake-up is a new one.
   */
  const comeBackLater = async (
    error: RetryAfterError | WakeAtError,
    input: T,
    key: string,
    again: Again,
    wakeUps: WakeUps,
    ctx: RunContext,
  ): Promise<JobResult> => {
    const now = new Date(again.now);
    const first = again.firstAttemptAt ?? again.now;
    const at =
      error instanceof RetryAfterError ? new Date(now.getTime() + error.delaySeconds * SECOND_MS) : error.at;
    const waitedSeconds = Math.round((at.getTime() - Date.parse(first)) / SECOND_MS);
    const maxWait = spec.maxWaitSeconds ?? 0;
    if (waitedSeconds > maxWait) {
      const reason = `gave up after waiting since ${first} (the ${spec.job} job waits at most ${maxWait} s): ${describeError(error)}`;
      logger.error('gave up waiting', { error, firstAttemptAt: first, maxWaitSeconds: maxWait });
      await spec.reportFailure(input, error, ctx);
      return { outcome: 'failed', reason };
    }
    const wake = await wakeUps.wakeAt({
      job: spec.job,
      at,
      now,
      key: `again.${key}`,
      payload: { ...again.payload, scheduledTime: SCHEDULED_TIME, firstAttemptAt: first },
      description: `apprunner-guard: ${spec.job} again — ${error.message}`,
    });
    logger.info('coming back later', {
      at: wake.at.toISOString(),
      schedule: wake.name,
      firstAttemptAt: first,
    });
    return {
      outcome: 'deferred',
      reason: `${error.message}; trying again at ${wake.at.toISOString()}`,
      wakeUp: wake.name,
      retryAt: wake.at.toISOString(),
    };
  };

  const guarded = spec.persistenceStore
    ? makeIdempotent(body, {
        persistenceStore: spec.persistenceStore,
        config,
        keyPrefix: `apprunner-guard.${spec.job}`,
      })
    : body;

  return middy(async (raw: unknown, context: Context): Promise<HandlerResult> => {
    if (spec.prepare) {
      try {
        await spec.prepare();
      } catch (error) {
        if (classifyError(error) !== 'terminal') throw error;
        logger.error('cannot prepare for the event', { job: spec.job, error });
        return { outcome: 'failed', reason: describeError(error as Error) };
      }
    }
    let parsed: Parsed<T>;
    try {
      checkEventLimits(raw);
      parsed = spec.parse(raw);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      logger.error('event rejected', { job: spec.job, field: error.field, reason: error.message });
      await spec.onReject(error, raw);
      return { outcome: 'rejected', reason: error.message, field: error.field };
    }
    logger.appendKeys({ job: spec.job, idempotencyKey: parsed.key, ...parsed.logKeys });
    config.registerLambdaContext(context);
    return guarded(
      { key: parsed.key, input: parsed.input, ...(parsed.again ? { again: parsed.again } : {}) },
      context,
    );
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
