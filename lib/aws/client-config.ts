import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { retryBackoff } from './waits.ts';

/** Attempts per SDK call, the first included. */
const MAX_ATTEMPTS = 3;

/**
 * Settings shared by every SDK client: bounded standard retries (throttling and 5xx are retried
 * by the SDK itself, a few times, then surface as retryable errors) and timeouts well inside a
 * Lambda invocation. Endpoints come from the SDK's own `AWS_ENDPOINT_URL[_<SERVICE>]` variables,
 * which is how the sandbox points unchanged clients at its stand-ins; its simulated waits replace
 * the SDK's backoff (`lib/aws/waits.ts`), never which errors are retried or how often.
 */
export function clientConfig() {
  const backoff = retryBackoff();
  return {
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    ...(backoff ? { retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, backoff) } : {}),
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
  } as const;
}
