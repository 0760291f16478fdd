import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../../lib/core/concurrency.ts';

describe('mapWithConcurrency', () => {
  it('keeps the order of the items and never has more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let k = 0; k < n; k++) await Promise.resolve();
      inFlight--;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
    expect(most).toBe(2);
  });

  it('an empty list is nothing to do', async () => {
    expect(await mapWithConcurrency([], 4, async () => expect.unreachable())).toEqual([]);
  });
});
