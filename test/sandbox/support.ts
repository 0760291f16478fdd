import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { afterEach } from 'vitest';
import {
  AppRunnerSimulator,
  DEFAULT_APP_RUNNER_BEHAVIOUR,
  DEFAULT_DURATIONS,
  type SimulatorSettings,
} from '../../sandbox/app-runner.ts';
import { SimClock } from '../../sandbox/clock.ts';
import { FaultDice, type Faults, NO_FAULTS } from '../../sandbox/faults.ts';
import {
  type ApiCall,
  type ApiHooks,
  apiHandler,
  awsJsonProtocol,
  type LocalServer,
  listen,
} from '../../sandbox/http.ts';
import { ImageRegistry } from '../../sandbox/images.ts';
import { createPrng } from '../../sandbox/prng.ts';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Hooks for a stand-in under test: a clock, faults, and the calls it answered. */
export function testHooks(clock: SimClock, faults: Faults = NO_FAULTS, seed = 1) {
  const calls: ApiCall[] = [];
  const hooks: ApiHooks = {
    now: () => clock.now,
    faults: (api) => faults.api[api],
    dice: new FaultDice(createPrng(seed, 'faults')),
    limiter: () => undefined,
    onCall: (c) => calls.push(c),
  };
  return { hooks, calls };
}

/** An App Runner simulator behind a real HTTP server, for the real SDK client. */
export async function startAppRunner(
  options: { faults?: Faults; settings?: Partial<SimulatorSettings>; start?: string } = {},
) {
  const clock = new SimClock(new Date(options.start ?? '2026-11-20T10:00:00Z'));
  const registry = new ImageRegistry(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`);
  const events: Array<Record<string, unknown> & { detail: Record<string, unknown> }> = [];
  /** The status of the service an event names at the moment it was emitted, parallel to `events`. */
  const statusAtEmit: string[] = [];
  const notes: string[] = [];
  const sim = new AppRunnerSimulator(
    {
      clock,
      registry,
      prng: createPrng(1, 'ids'),
      emit: (e) => {
        events.push(e as unknown as (typeof events)[number]);
        statusAtEmit.push(sim.list().find((s) => s.arn === e.resources[0])?.status ?? 'DELETED');
      },
      note: (t) => notes.push(t),
    },
    {
      account: ACCOUNT,
      region: REGION,
      spelling: 'PascalCase',
      durations: DEFAULT_DURATIONS,
      serviceQuota: 30,
      ...DEFAULT_APP_RUNNER_BEHAVIOUR,
      ...options.settings,
    },
  );
  const { hooks, calls } = testHooks(clock, options.faults);
  const server: LocalServer = await listen(
    apiHandler(
      'apprunner',
      awsJsonProtocol('1.0', 'AppRunner', 'InternalServiceErrorException'),
      (op, req) => sim.dispatch(op, req),
      () => hooks,
    ),
  );
  return { clock, registry, sim, events, statusAtEmit, notes, calls, server };
}

/**
 * One simulator per test, closed after it. The returned `start` serves it, gives an SDK client of
 * it (`maxAttempts`: 1 unless said) and pushes `payments:latest` as the good image `good-v1`.
 */
export function useAppRunner() {
  let env: Awaited<ReturnType<typeof startAppRunner>> | undefined;
  afterEach(async () => {
    await env?.server.close();
    env = undefined;
  });
  return async (options: Parameters<typeof startAppRunner>[0] & { maxAttempts?: number } = {}) => {
    const started = await startAppRunner(options);
    env = started;
    const client = new AppRunnerClient({
      endpoint: started.server.url,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: options.maxAttempts ?? 1,
    });
    started.registry.push('payments:latest', { digest: 'good-v1', at: started.clock.now });
    return { ...started, client };
  };
}
