import { isRetryableByTrait, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import {
  type ErrorKind,
  GuardError,
  NotFoundError,
  RetryAfterError,
  RetryableError,
  TerminalError,
} from '../core/errors.ts';

/**
 * The one place that reads SDK errors (docs/architecture.md, "Error model"). Every adapter's port
 * goes through {@link translatePortErrors}, so jobs only ever see the core kinds.
 */

/** What the SDK attaches to a service or client error. */
interface SdkErrorShape extends Error {
  cause?: Error;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  code?: string;
}

/** Per-adapter knowledge the SDK's metadata cannot give. */
export interface TranslateOptions {
  /**
   * Modelled client faults that mean "an operation on this resource is in progress, try later"
   * (App Runner: `InvalidStateException`), with the delay to wait.
   */
  inProgress?: { names: readonly string[]; retryAfterSeconds: number };
}

/**
 * App Runner refuses a call with `InvalidStateException` while another operation on the service
 * runs. A deployment or pause/resume usually settles within a few minutes (App Runner's own
 * rollback of a failed deployment can take 15–20), so two minutes is a first look that does not
 * hammer the API and does not leave a service waiting much longer than the operation itself.
 */
export const APP_RUNNER_IN_PROGRESS: NonNullable<TranslateOptions['inProgress']> = {
  names: ['InvalidStateException'],
  retryAfterSeconds: 120,
};

/**
 * A modelled client fault whose own name says it is throttling by a dependency, such as SNS's
 * `KMSThrottlingException` on an encrypted topic. The SDK models it as a plain 400 without the
 * retryable trait and does not retry it, yet it is as transient as any throttling. (SNS's other
 * KMS faults — disabled key, invalid key state, access denied, key not found, opt-in required —
 * need a human, so they stay client faults.)
 */
const DEPENDENCY_THROTTLING = /Throttl(ing|ed)Exception$/;

/** A modelled client fault saying the named resource does not exist (404, or `…NotFound…`). */
const NOT_FOUND = /NotFound(Exception)?$/;

function fieldsOf(e: SdkErrorShape): Record<string, unknown> {
  const fields: Record<string, unknown> = { sdkError: e.name };
  if (e.$metadata?.httpStatusCode !== undefined) fields.httpStatus = e.$metadata.httpStatusCode;
  if (e.$metadata?.requestId) fields.requestId = e.$metadata.requestId;
  if (e.$fault) fields.fault = e.$fault;
  if (e.code) fields.code = e.code;
  return fields;
}

/**
 * Translates an SDK (or network) error into a core error kind, from the SDK's own metadata:
 * 1. an adapter-declared "operation in progress" fault → `RetryAfterError` with its delay;
 * 2. throttling (`isThrottlingError`: 429, the `$retryable.throttling` trait, the SDK's throttling
 *    codes; or a dependency's `…ThrottlingException`) → `RetryableError('throttling')`;
 * 3. transient (`isTransientError`: the `$retryable` trait, timeouts, network errors, 500/502/503/504,
 *    clock skew) → `RetryableError('transient')`;
 * 4. any other server fault (`isServerError`, `$fault: 'server'`) → `RetryableError('server')`;
 * 5. a client fault naming a missing resource (404, `…NotFound…`) → `NotFoundError`;
 * 6. any other client fault (`$fault: 'client'`, 4xx) → `TerminalError`;
 * 7. anything else (no metadata: not an SDK error) → `RetryableError('unknown')`: retried, then kept.
 * A guard error passes through unchanged. The translation wraps the original as `cause` and keeps
 * its name.
 */
export function translateAwsError(error: unknown, options: TranslateOptions = {}): GuardError {
  const out = kindOf(error, options);
  // The translation keeps the SDK's name: logs, alerts and the DLQ record say
  // `ThrottlingException`, which is what on-call searches for; `kind` and `cause` say the rest.
  if (out !== error && error instanceof Error) (out as { name: string }).name = error.name;
  return out;
}

function kindOf(error: unknown, options: TranslateOptions): GuardError {
  if (error instanceof GuardError) return error;
  if (!(error instanceof Error)) {
    return new RetryableError(String(error), { reason: 'unknown', cause: error });
  }
  const e = error as SdkErrorShape;
  const opts = { cause: e, fields: fieldsOf(e) };
  const status = e.$metadata?.httpStatusCode;
  if (options.inProgress?.names.includes(e.name)) {
    return new RetryAfterError(e.message, options.inProgress.retryAfterSeconds, opts);
  }
  if (isThrottlingError(e) || (e.$fault === 'client' && DEPENDENCY_THROTTLING.test(e.name))) {
    return new RetryableError(e.message, { ...opts, reason: 'throttling' });
  }
  if (isTransientError(e) || isRetryableByTrait(e)) {
    return new RetryableError(e.message, { ...opts, reason: 'transient' });
  }
  if (isServerError(e) || e.$fault === 'server') {
    return new RetryableError(e.message, { ...opts, reason: 'server' });
  }
  const clientFault = e.$fault === 'client' || (status !== undefined && status >= 400 && status < 500);
  if (clientFault && (status === 404 || NOT_FOUND.test(e.name))) return new NotFoundError(e.message, opts);
  if (clientFault) return new TerminalError(e.message, opts);
  return new RetryableError(e.message, { ...opts, reason: 'unknown' });
}

/** The kind the guard gives an SDK error (translation, then classification). */
export function classifyAwsError(error: unknown, options: TranslateOptions = {}): ErrorKind {
  return translateAwsError(error, options).kind;
}

function translateIterable<T>(iterable: AsyncIterable<T>, options: TranslateOptions): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = iterable[Symbol.asyncIterator]();
      return {
        next: () =>
          it.next().catch((error: unknown) => {
            throw translateAwsError(error, options);
          }),
        return: it.return ? (value?: unknown) => it.return!(value as T) : undefined,
      } as AsyncIterator<T>;
    },
  };
}

/**
 * Wraps every method of an adapter so that whatever it throws (or rejects with, or an async
 * iterable it returns throws) reaches the job as a core error kind. Adapters apply it to the port
 * they return; what they catch and turn into values inside (a conflict, a conditional check)
 * never reaches it.
 */
export function translatePortErrors<T extends object>(port: T, options: TranslateOptions = {}): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(port)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    out[name] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = (value as (...a: unknown[]) => unknown).apply(port, args);
      } catch (error) {
        throw translateAwsError(error, options);
      }
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          throw translateAwsError(error, options);
        });
      }
      if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
        return translateIterable(result as AsyncIterable<unknown>, options);
      }
      return result;
    };
  }
  return out as T;
}
