import { describe, expect, it } from 'vitest';
import { APP_RUNNER_IN_PROGRESS, translateAwsError, translatePortErrors } from '../../../lib/aws/errors.ts';
import {
  GuardError,
  NotFoundError,
  RetryAfterError,
  RetryableError,
  TerminalError,
} from '../../../lib/core/errors.ts';
import { networkError, sdkError } from '../../support/sdk-errors.ts';

const appRunner = { inProgress: APP_RUNNER_IN_PROGRESS };

/** Every rule of the translation, one row each: changing a rule fails its row. */
const CASES: [string, unknown, string, string?][] = [
  // throttling: the SDK's own classification (429, codes, the throttling trait)
  [
    'ThrottlingException 400',
    sdkError('ThrottlingException', 'Rate exceeded'),
    'RetryableError',
    'throttling',
  ],
  ['HTTP 429', sdkError('TooManyRequestsException', 'x', { status: 429 }), 'RetryableError', 'throttling'],
  [
    '$retryable.throttling',
    sdkError('SomeLimit', 'x', { retryable: { throttling: true } }),
    'RetryableError',
    'throttling',
  ],
  [
    'SNS KMSThrottlingException (not retried by the SDK)',
    sdkError('KMSThrottlingException'),
    'RetryableError',
    'throttling',
  ],
  // transient: the retryable trait, timeouts, network errors, 500/502/503/504
  [
    '$retryable without throttling',
    sdkError('Conflict', 'x', { retryable: {} }),
    'RetryableError',
    'transient',
  ],
  ['HTTP 500', sdkError('InternalServerException', 'x', { status: 500 }), 'RetryableError', 'transient'],
  ['HTTP 503', sdkError('ServiceUnavailableException', 'x', { status: 503 }), 'RetryableError', 'transient'],
  [
    'TimeoutError',
    Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
    'RetryableError',
    'transient',
  ],
  ['ECONNRESET', networkError('ECONNRESET'), 'RetryableError', 'transient'],
  ['EAI_AGAIN', networkError('EAI_AGAIN'), 'RetryableError', 'transient'],
  // other server faults
  ['HTTP 501', sdkError('NotImplemented', 'x', { status: 501 }), 'RetryableError', 'server'],
  [
    '$fault server without a status',
    Object.assign(new Error('x'), { $fault: 'server' }),
    'RetryableError',
    'server',
  ],
  // client faults
  ['ResourceNotFoundException 400', sdkError('ResourceNotFoundException'), 'NotFoundError'],
  ['HTTP 404', sdkError('Whatever', 'x', { status: 404 }), 'NotFoundError'],
  ['SSM ParameterNotFound', sdkError('ParameterNotFound'), 'NotFoundError'],
  ['AccessDeniedException 403', sdkError('AccessDeniedException', 'x', { status: 403 }), 'TerminalError'],
  ['ValidationException', sdkError('ValidationException'), 'TerminalError'],
  ['SNS KMSDisabledException (needs a human)', sdkError('KMSDisabledException'), 'TerminalError'],
  ['SNS KMSInvalidStateException (needs a human)', sdkError('KMSInvalidStateException'), 'TerminalError'],
  [
    'a 4xx without $fault',
    Object.assign(new Error('x'), { $metadata: { httpStatusCode: 409 } }),
    'TerminalError',
  ],
  // App Runner's modelled "operation in progress"
  ['InvalidStateException elsewhere', sdkError('InvalidStateException'), 'TerminalError'],
  // no metadata: not an SDK error
  ['a plain Error', new Error('bug'), 'RetryableError', 'unknown'],
  ['a non-Error', 'boom', 'RetryableError', 'unknown'],
];

describe('translateAwsError', () => {
  it.each(CASES)('%s → %s %s', (_, error, kind, reason) => {
    const out = translateAwsError(error);
    expect(out.constructor.name).toBe(kind);
    if (reason) expect((out as RetryableError).reason).toBe(reason);
    expect(out.cause).toBe(error);
    if (error instanceof Error) expect(out.name).toBe(error.name);
  });

  it("maps App Runner's InvalidStateException to retry-after with the adapter's delay", () => {
    const out = translateAwsError(sdkError('InvalidStateException', 'operation in progress'), appRunner);
    expect(out).toBeInstanceOf(RetryAfterError);
    expect((out as RetryAfterError).delaySeconds).toBe(120);
    expect(out.message).toBe('operation in progress');
  });

  it('keeps what on-call needs as structured fields', () => {
    const out = translateAwsError(sdkError('AccessDeniedException', 'no', { status: 403 }));
    expect(out.fields).toMatchObject({ sdkError: 'AccessDeniedException', httpStatus: 403, fault: 'client' });
  });

  it('passes a guard error through unchanged', () => {
    const e = new TerminalError('loop guard');
    expect(translateAwsError(e)).toBe(e);
  });
});

describe('translatePortErrors', () => {
  it('translates rejections, synchronous throws and async iteration of every method', async () => {
    const port = translatePortErrors(
      {
        async describe() {
          throw sdkError('ResourceNotFoundException');
        },
        pause(): Promise<void> {
          throw sdkError('InvalidStateException');
        },
        async *list() {
          yield 1;
          throw sdkError('ThrottlingException');
        },
        value: 3,
      },
      appRunner,
    );
    await expect(port.describe()).rejects.toBeInstanceOf(NotFoundError);
    expect(() => port.pause()).toThrow(RetryAfterError);
    const seen: number[] = [];
    const iterate = async () => {
      for await (const n of port.list()) seen.push(n);
    };
    await expect(iterate()).rejects.toSatisfy(
      (e) => e instanceof RetryableError && e.reason === 'throttling',
    );
    expect(seen).toEqual([1]);
    expect(port.value).toBe(3);
  });

  it('leaves results alone', async () => {
    const port = translatePortErrors({
      async ok() {
        return 'fine';
      },
    });
    await expect(port.ok()).resolves.toBe('fine');
    expect(translateAwsError(new Error('x'))).toBeInstanceOf(GuardError);
  });
});
