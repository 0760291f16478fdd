/**
 * Settings shared by every SDK client: bounded standard retries (throttling and 5xx are retried
 * by the SDK itself, a few times, then surface as retryable errors) and timeouts well inside a
 * Lambda invocation. Endpoints come from the SDK's own `AWS_ENDPOINT_URL[_<SERVICE>]` variables,
 * which is how the sandbox points unchanged clients at its stand-ins.
 */
export function clientConfig() {
  return {
    maxAttempts: 3,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
  } as const;
}
