import { ConfiguredRetryStrategy, StandardRetryStrategy } from '@smithy/core/retry';
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

type RetryStrategy = Pick<
  StandardRetryStrategy,
  'mode' | 'acquireInitialRetryToken' | 'refreshRetryTokenForRetry' | 'recordSuccess'
>;

/**
 * The SDK's standard retries, except that a throttled call is not retried: its error reaches
 * the caller at once (the retry middleware throws the call's own error when no retry is granted).
 */
function withoutThrottlingRetries(inner: RetryStrategy): RetryStrategy {
  return {
    mode: inner.mode,
    acquireInitialRetryToken: (scope) => inner.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token, info) => {
      if (info.errorType === 'THROTTLING') throw new Error('throttling is retried by the caller');
      return inner.refreshRetryTokenForRetry(token, info);
    },
    recordSuccess: (token) => inner.recordSuccess(token),
  };
}

/**
 * {@link clientConfig} for paced fleet work (a schedule run pausing a target's services): the
 * SDK retries transient errors as usual but leaves throttling to the caller's pacer
 * (lib/pause-resume/pacer.ts), which slows the whole target down and retries the call in its
 * turn. SDK retries of a throttle would go out unpaced, behind the pacer's back, and feed the
 * overshoot that caused them. Other jobs keep {@link clientConfig}.
 */
export function fleetClientConfig() {
  const backoff = retryBackoff();
  const inner = backoff
    ? new ConfiguredRetryStrategy(MAX_ATTEMPTS, backoff)
    : new StandardRetryStrategy(MAX_ATTEMPTS);
  return { ...clientConfig(), retryStrategy: withoutThrottlingRetries(inner) } as const;
}
