import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { checkEventLimits } from '../events/limits.ts';
import { classifyError, describeError, InvalidEventError } from './errors.ts';
import type { Job } from './guard-event.ts';
import type { JobResult } from './outcomes.ts';

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
  /** How long a completed key is remembered. EventBridge retries for up to 24 hours. */
  idempotencyTtlSeconds?: number;
}

/**
 * Builds a Lambda handler with the shared stack: Powertools Logger context, size and depth limits
 * checked before any recursive work (an oversized or deeply nested event is rejected, never a
 * stack overflow), parsing (a bad event is a logged, counted, terminal rejection, never a crash
 * loop), Powertools idempotency keyed on
 * {@link Parsed.key}, and error classification: retryable errors are thrown so Lambda retries
 * and the DLQ keeps the event; terminal ones are logged, reported and returned, and recorded as
 * the idempotent result so a redelivery does not alert twice.
 */
export function withGuard<T>(spec: GuardHandlerSpec<T>) {
  const { logger } = spec;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: spec.idempotencyTtlSeconds ?? 24 * 60 * 60,
    throwOnNoIdempotencyKey: true,
  });

  const body = async (envelope: { key: string; input: T }, context: Context): Promise<JobResult> => {
    const ctx: RunContext = { logger, remainingMs: () => context.getRemainingTimeInMillis() };
    try {
      const result = await spec.run(envelope.input, ctx);
      logger.info('job finished', { outcome: result.outcome, reason: result.reason });
      return result;
    } catch (error) {
      if (classifyError(error) !== 'terminal') throw error;
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error('terminal failure', { error: err });
      await spec.reportFailure(envelope.input, err, ctx);
      return { outcome: 'failed', reason: describeError(err) };
    }
  };

  const guarded = spec.persistenceStore
    ? makeIdempotent(body, {
        persistenceStore: spec.persistenceStore,
        config,
        keyPrefix: `apprunner-guard.${spec.job}`,
      })
    : body;

  return middy(async (raw: unknown, context: Context): Promise<HandlerResult> => {
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
    return guarded({ key: parsed.key, input: parsed.input }, context);
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
