import { describe, expect, it } from 'vitest';
import {
  classifyError,
  describeError,
  errorNameOf,
  InvalidEventError,
  isNotFound,
  isRetryable,
  isThrottled,
  NotFoundError,
  RetryAfterError,
  RetryableError,
  TerminalError,
  WakeAtError,
} from '../../../lib/core/errors.ts';

describe('error kinds', () => {
  const cause = new Error('the SDK said no');
  it.each([
    [new TerminalError('loop guard tripped', { cause }), 'terminal'],
    [new InvalidEventError('account', 'not ours'), 'terminal'],
    [new NotFoundError('service gone', { cause }), 'terminal'],
    [new RetryableError('rate exceeded', { reason: 'throttling', cause }), 'retryable'],
    [new RetryAfterError('operation in progress', 120, { cause }), 'retry-after'],
    [new WakeAtError('override ends', new Date('2026-12-01T23:00:00Z'), { cause }), 'wake-at'],
  ] as const)('%s is %s', (error, kind) => {
    expect(classifyError(error)).toBe(kind);
    expect(isRetryable(error)).toBe(kind !== 'terminal');
  });

  it('classifies anything that is not a guard error as retryable: retried, then kept, never dropped', () => {
    for (const e of [new Error('x'), new TypeError('y'), 'a string', undefined, { name: 'TerminalError' }]) {
      expect(classifyError(e)).toBe('retryable');
    }
  });

  it('each kind wraps its cause and carries structured fields', () => {
    const e = new RetryAfterError('busy', 90.2, { cause, fields: { serviceArn: 'arn:x' } });
    expect(e.cause).toBe(cause);
    expect(e.fields).toEqual({ serviceArn: 'arn:x' });
    expect(e.delaySeconds).toBe(91);
    const w = new WakeAtError('later', new Date('2026-12-01T23:00:00Z'));
    expect(w.at.toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(new InvalidEventError('detail.status', 'unknown status').field).toBe('detail.status');
  });

  it('refuses a delay below one second and an invalid wake-up time', () => {
    expect(() => new RetryAfterError('x', 0)).toThrow(RangeError);
    expect(() => new RetryAfterError('x', Number.NaN)).toThrow(RangeError);
    expect(() => new WakeAtError('x', new Date('nope'))).toThrow(RangeError);
  });

  it('reads throttling and not-found from the kinds, not from names', () => {
    expect(isThrottled(new RetryableError('x', { reason: 'throttling' }))).toBe(true);
    expect(isThrottled(new RetryableError('x', { reason: 'server' }))).toBe(false);
    expect(isThrottled(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe(false);
    expect(isNotFound(new NotFoundError('gone'))).toBe(true);
    expect(isNotFound(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }))).toBe(false);
  });

  it('describes a translated error by the name of what it wraps, which is what on-call searches for', () => {
    const sdk = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const e = new RetryableError(sdk.message, { cause: sdk, reason: 'throttling' });
    expect(describeError(e)).toBe('ThrottlingException: Rate exceeded');
    expect(errorNameOf(e)).toBe('ThrottlingException');
    expect(describeError(new TerminalError('loop guard tripped'))).toBe('TerminalError: loop guard tripped');
    expect(describeError('plain')).toBe('plain');
  });
});
