import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../lib/core/errors.ts';
import { checkEventLimits, EventLimitError, MAX_EVENT_BYTES } from '../../../lib/events/limits.ts';
import { listFixtures, loadFixture } from '../../support/fixtures.ts';

function limitError(raw: unknown, limits?: { maxBytes: number; maxDepth: number }): EventLimitError {
  try {
    checkEventLimits(raw, limits);
  } catch (error) {
    if (error instanceof EventLimitError) return error;
    throw error;
  }
  throw new Error('expected a limit error');
}

const nested = (levels: number) => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('checkEventLimits', () => {
  it.each(listFixtures().filter((n) => n !== 'invalid/deeply-nested'))('lets fixture %s through', (name) => {
    expect(() => checkEventLimits(loadFixture(name))).not.toThrow();
  });

  it('rejects the 5,000-level fixture as an invalid event naming where it nests', () => {
    const error = limitError(loadFixture('invalid/deeply-nested'));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ limit: 'depth', field: 'detail.Extra' });
    expect(error.message).toBe('detail.Extra: nested deeper than 32 levels');
  });

  it('handles nesting far beyond what recursion survives (1,000,000 levels, arrays too)', () => {
    let deep: unknown = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(limitError({ detail: deep }).limit).toBe('depth');
    expect(limitError(nested(1_000_000)).field).toBe('a.a');
  });

  it('allows objects nested exactly maxDepth deep and rejects one level more', () => {
    const limits = { maxBytes: 1000, maxDepth: 6 };
    expect(() => checkEventLimits(nested(6), limits)).not.toThrow();
    expect(limitError(nested(7), limits)).toMatchObject({ limit: 'depth', field: 'a.a' });
  });

  it('rejects an event over 256 KB, counting UTF-8 bytes', () => {
    expect(limitError({ detail: { Message: 'x'.repeat(MAX_EVENT_BYTES) } })).toMatchObject({
      limit: 'size',
      field: '(event)',
    });
    // 100,000 three-byte characters: 300,000 bytes although only 100,000 UTF-16 units.
    expect(limitError({ detail: { Message: '€'.repeat(100_000) } }).limit).toBe('size');
    expect(() => checkEventLimits({ detail: { Message: 'x'.repeat(200_000) } })).not.toThrow();
  });

  it('stops early on a huge array of small values', () => {
    expect(limitError({ resources: new Array(2_000_000).fill(1) }).limit).toBe('size');
  });

  it('ends on a cyclic object instead of looping', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(['depth', 'size']).toContain(limitError(a).limit);
  });
});
