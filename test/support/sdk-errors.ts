/**
 * Errors shaped as the AWS SDK throws them: a modelled exception carries `$fault` and
 * `$metadata.httpStatusCode` (and `$retryable` when the model says so). Fakes throw these so the
 * adapters translate them as they would real ones.
 */
export interface SdkErrorOptions {
  status?: number;
  fault?: 'client' | 'server';
  retryable?: { throttling?: boolean };
  code?: string;
}

/** An SDK error named `name`; a 4xx client fault unless the options say otherwise. */
export function sdkError(name: string, message = name, options: SdkErrorOptions = {}): Error {
  const status = options.status ?? (options.fault === 'server' ? 500 : 400);
  return Object.assign(new Error(message), {
    name,
    $fault: options.fault ?? (status >= 500 ? 'server' : 'client'),
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 1 },
    ...(options.retryable ? { $retryable: options.retryable } : {}),
    ...(options.code ? { code: options.code } : {}),
  });
}

/** A network error as Node's HTTP handler throws it (no SDK metadata, a `code`). */
export function networkError(code = 'ECONNRESET'): Error {
  return Object.assign(new Error(`socket hang up (${code})`), { name: 'Error', code });
}
