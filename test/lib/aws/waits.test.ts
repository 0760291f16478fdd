import type { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, describe, expect, it } from 'vitest';
import { clientConfig } from '../../../lib/aws/client-config.ts';
import { simulateWaits, sleepWithin } from '../../../lib/aws/waits.ts';

afterEach(() => simulateWaits(undefined));

describe('waits inside an invocation', () => {
  it('a deployment keeps the SDK’s own retry strategy and really sleeps', async () => {
    expect(clientConfig()).not.toHaveProperty('retryStrategy');
    const started = performance.now();
    await sleepWithin(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('simulated: clients created afterwards wait the simulated backoff, and retry as often as before', async () => {
    const asked: number[] = [];
    simulateWaits({
      retryBackoff: (attempt) => {
        asked.push(attempt);
        return 1;
      },
      sleep: async () => {},
    });
    const config = clientConfig();
    expect(config.maxAttempts).toBe(3);
    const strategy = (config as { retryStrategy?: ConfiguredRetryStrategy }).retryStrategy!;
    const started = performance.now();
    let token = await strategy.acquireInitialRetryToken('apprunner');
    token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING' });
    token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING' });
    await expect(strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING' })).rejects.toThrow();
    expect(asked).toEqual([1, 2]);
    // Two throttles: the SDK's own backoff would have waited up to 3 s.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('simulated: a wait inside an invocation is the sandbox’s, not a timer', async () => {
    const waited: number[] = [];
    simulateWaits({ retryBackoff: () => 1, sleep: async (ms) => void waited.push(ms) });
    await sleepWithin(60_000);
    expect(waited).toEqual([60_000]);
  });
});
