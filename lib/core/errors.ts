/**
 * The guard's error kinds (docs/architecture.md, "Error model").
 *
 * Every error a job or a port throws on purpose is one of four kinds, each wrapping its `cause`:
 * - `terminal`: retrying cannot help (bad event, service gone, a client fault); alerted and returned;
 * - `retryable`: another attempt may succeed (throttling, 5xx, a timeout); thrown so the event is retried;
 * - `retry-after`: another attempt will succeed after a delay the job chooses (an operation in progress);
 * - `wake-at`: come back at a wall-clock moment (an override's end, a deletion time).
 *
 * Only `lib/aws` turns SDK errors into these kinds; this file reads no SDK metadata.
 */

/** The four kinds, the handler stack's only input when it decides what to do with an error. */
export type ErrorKind = 'terminal' | 'retryable' | 'retry-after' | 'wake-at';

/** Options shared by every guard error. */
export interface GuardErrorOptions {
  /** The error this one explains (an SDK error, a parse error…). */
  cause?: unknown;
  /** Structured facts for logs and alerts (operation, service ARN, HTTP status…). */
  fields?: Record<string, unknown>;
}

/** The one base of the guard's errors: a kind, structured fields and a `cause`. */
export abstract class GuardError extends Error {
  abstract readonly kind: ErrorKind;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(message: string, options: GuardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.fields = options.fields ?? {};
  }
}

/** An error retrying cannot fix: bad input, a client fault, a loop guard that tripped. */
export class TerminalError extends GuardError {
  override readonly name: string = 'TerminalError';
  readonly kind = 'terminal' as const;
}

/** An event that failed validation; `field` names the offending field (dot path). */
export class InvalidEventError extends TerminalError {
  override readonly name: string = 'InvalidEventError';
  constructor(
    readonly field: string,
    message: string,
    options: GuardErrorOptions = {},
  ) {
    super(`${field}: ${message}`, options);
  }
}

/** The resource an operation named no longer exists (a deleted service, schedule or parameter). */
export class NotFoundError extends TerminalError {
  override readonly name: string = 'NotFoundError';
}

/** Why a {@link RetryableError} is worth another attempt. */
export type RetryReason = 'throttling' | 'transient' | 'server' | 'unknown';

/** A failure worth another attempt: throttling, 5xx, a timeout, a network error. */
export class RetryableError extends GuardError {
  override readonly name: string = 'RetryableError';
  readonly kind = 'retryable' as const;
  readonly reason: RetryReason;
  constructor(message: string, options: GuardErrorOptions & { reason?: RetryReason } = {}) {
    super(message, options);
    this.reason = options.reason ?? 'unknown';
  }
}

/**
 * Another attempt will succeed after a delay the job (or adapter) chooses: an operation in
 * progress, a dependency known to be down for a while. Until the durable "retry after" path
 * exists the handler stack treats it as retryable; the delay is carried for it.
 */
export class RetryAfterError extends GuardError {
  override readonly name: string = 'RetryAfterError';
  readonly kind = 'retry-after' as const;
  /** Seconds to wait before the next attempt (at least 1). */
  readonly delaySeconds: number;
  constructor(message: string, delaySeconds: number, options: GuardErrorOptions = {}) {
    super(message, options);
    if (!Number.isFinite(delaySeconds) || delaySeconds < 1) {
      throw new RangeError(`RetryAfterError: delaySeconds must be ≥ 1, got ${delaySeconds}`);
    }
    this.delaySeconds = Math.ceil(delaySeconds);
  }
}

/** Come back at a wall-clock moment (an override's end, a scheduled deletion, a storm window's end). */
export class WakeAtError extends GuardError {
  override readonly name: string = 'WakeAtError';
  readonly kind = 'wake-at' as const;
  readonly at: Date;
  constructor(message: string, at: Date, options: GuardErrorOptions = {}) {
    super(message, options);
    if (Number.isNaN(at.getTime())) throw new RangeError('WakeAtError: `at` is not a valid date');
    this.at = at;
  }
}

/**
 * The kind of any error. Total: an error that is not a {@link GuardError} (a bug, an error no
 * adapter translated) counts as retryable, so the event is retried and then kept in the DLQ —
 * calling an unknown error terminal would silently drop work.
 */
export function classifyError(error: unknown): ErrorKind {
  return error instanceof GuardError ? error.kind : 'retryable';
}

/** True when a retry may help now or later (every kind but terminal). */
export function isRetryable(error: unknown): boolean {
  return classifyError(error) !== 'terminal';
}

/** True for throttling: the caller should slow down rather than give up. */
export function isThrottled(error: unknown): boolean {
  return error instanceof RetryableError && error.reason === 'throttling';
}

/** True when the resource an operation named no longer exists. */
export function isNotFound(error: unknown): boolean {
  return error instanceof NotFoundError;
}

/**
 * A short, secret-free description of an error for results, logs and alerts. A guard error that
 * wraps an SDK error is described by the SDK error's name, which is what on-call searches for.
 */
export function describeError(error: unknown): string {
  if (error instanceof GuardError && error.cause instanceof Error && error.message === error.cause.message) {
    return `${error.cause.name}: ${error.message}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The name an alert shows for an error: the SDK's own when a guard error wraps one. */
export function errorNameOf(error: Error): string {
  if (error instanceof GuardError && error.cause instanceof Error && error.message === error.cause.message) {
    return error.cause.name;
  }
  return error.name;
}
