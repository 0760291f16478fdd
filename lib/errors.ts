/**
 * The two error kinds of the guard (DESIGN.md §5).
 *
 * Retryable errors are thrown out of the handler so Lambda retries the async invoke and the
 * on-failure destination catches what never succeeds. Terminal errors are logged, alerted and
 * returned as a result: retrying them cannot help.
 */

/** An error retrying cannot fix: bad input, a service that is gone, a loop guard that tripped. */
export class TerminalError extends Error {
  override readonly name: string = 'TerminalError';
}

/** An event that failed validation; `field` names the offending field (dot path). */
export class InvalidEventError extends TerminalError {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A failure worth another attempt later: throttling, 5xx, an operation still in progress. */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'InternalServiceErrorException',
  'InternalServerException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InvalidStateException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'IdempotencyAlreadyInProgressError',
  'IdempotencyPersistenceLayerError',
]);

const TERMINAL_NAMES = new Set([
  'ResourceNotFoundException',
  'InvalidRequestException',
  'ValidationException',
  'ServiceQuotaExceededException',
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'ParameterNotFound',
  'ConflictException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/**
 * Classifies any error as `retryable` or `terminal`.
 *
 * Unknown errors count as retryable: Lambda retries twice and the DLQ keeps the event, so nothing
 * is lost, whereas calling an unknown error terminal would silently drop work.
 */
export function classifyError(error: unknown): 'retryable' | 'terminal' {
  if (error instanceof TerminalError) return 'terminal';
  if (error instanceof RetryableError) return 'retryable';
  if (!(error instanceof Error)) return 'retryable';
  if (TERMINAL_NAMES.has(error.name)) return 'terminal';
  if (RETRYABLE_NAMES.has(error.name)) return 'retryable';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'retryable';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    if (status === 429 || status >= 500) return 'retryable';
    if (status >= 400) return 'terminal';
  }
  return 'retryable';
}

/** A short, secret-free description of an error for results, logs and alerts. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
