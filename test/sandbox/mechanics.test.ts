import { describe, expect, it } from 'vitest';
import { EventBus } from '../../sandbox/bus.ts';
import { SimClock } from '../../sandbox/clock.ts';
import type { BusEvent } from '../../sandbox/eventbridge.ts';
import { FaultDice } from '../../sandbox/faults.ts';
import { type LambdaHandler, LambdaRuntime } from '../../sandbox/lambda.ts';
import { createPrng } from '../../sandbox/prng.ts';
import { loadRoutes } from '../../sandbox/routes.ts';
import { ROOT } from '../../sandbox/run.ts';
import { renderMrkdwn, renderSlackText } from '../../sandbox/slack-text.ts';
import { loadFixture } from '../support/fixtures.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');

describe('SimClock', () => {
  it('runs tasks in time order, ties in scheduling order, and tasks may schedule more', async () => {
    const clock = new SimClock(new Date(T0));
    const seen: string[] = [];
    clock.schedule(T0 + 2000, 'b', () => {
      seen.push(`b@${clock.now - T0}`);
    });
    clock.schedule(T0 + 1000, 'a1', () => {
      seen.push(`a1@${clock.now - T0}`);
      clock.schedule(T0 + 1500, 'c', () => {
        seen.push(`c@${clock.now - T0}`);
      });
    });
    clock.schedule(T0 + 1000, 'a2', () => {
      seen.push(`a2@${clock.now - T0}`);
    });
    const cancelled = clock.schedule(T0 + 500, 'x', () => {
      seen.push('x');
    });
    cancelled.cancel();
    clock.schedule(T0 + 9000, 'late', () => {
      seen.push('late');
    });
    await clock.runUntil(T0 + 5000);
    expect(seen).toEqual(['a1@1000', 'a2@1000', 'c@1500', 'b@2000']);
    expect(clock.now).toBe(T0 + 5000);
    expect(clock.pending().map((p) => p.label)).toEqual(['late']);
  });

  it('wallNow never goes backwards and advances with real time inside one instant', async () => {
    const clock = new SimClock(new Date(T0));
    const a = clock.wallNow();
    await new Promise((r) => setTimeout(r, 20));
    const b = clock.wallNow();
    expect(b).toBeGreaterThan(a);
    await clock.runUntil(T0 + 60_000);
    expect(clock.wallNow()).toBeGreaterThanOrEqual(T0 + 60_000);
  });
});

describe('seeded faults', () => {
  it('is reproducible per seed, applies `times` first, and respects windows and operations', () => {
    const draws = (seed: number) => {
      const dice = new FaultDice(createPrng(seed, 'f'));
      const rule = { rate: 0.5 };
      return Array.from({ length: 20 }, () => dice.roll(rule, 'Op', T0));
    };
    expect(draws(1)).toEqual(draws(1));
    expect(draws(1)).not.toEqual(draws(2));
    const dice = new FaultDice(createPrng(1, 'f'));
    const twice = { times: 2, operations: ['UpdateService'] };
    expect([1, 2, 3].map(() => dice.roll(twice, 'UpdateService', T0))).toEqual([true, true, false]);
    expect(dice.roll({ times: 5, operations: ['UpdateService'] }, 'DescribeService', T0)).toBe(false);
    const window = { from: T0 + 1000, until: T0 + 2000 };
    expect([T0, T0 + 1000, T0 + 1999, T0 + 2000].map((t) => dice.roll(window, 'x', t))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});

function runtime(handlers: Record<string, LambdaHandler>) {
  const clock = new SimClock(new Date(T0));
  const lambda = new LambdaRuntime(
    clock,
    new Map(Object.entries(handlers)),
    createPrng(1, 'l'),
    {
      functionPrefix: 'p-',
      account: '111122223333',
      region: 'us-east-1',
      retryDelaysSeconds: [60, 120],
      timeoutMs: 1000,
    },
    { begin: () => () => {}, failure: () => {} },
  );
  return { clock, lambda };
}

describe('Lambda async invoke', () => {
  it('retries a throwing handler twice, a minute then two apart, then writes an on-failure record', async () => {
    const times: number[] = [];
    const { clock, lambda } = runtime({
      f: async () => {
        times.push(clock.now - T0);
        throw new Error('boom');
      },
    });
    lambda.invokeAsync('f', { a: 1 }, { kind: 'direct', ref: 'r', label: 'test' });
    await clock.runUntil(T0 + 3600_000);
    expect(times).toEqual([0, 60_000, 180_000]);
    expect(lambda.failures).toEqual([
      expect.objectContaining({ function: 'f', attempts: 3, error: 'Error: boom', payload: { a: 1 } }),
    ]);
  });

  it('counts a returned failure as success (no retry), and hands each attempt a copy of the event', async () => {
    let calls = 0;
    const { clock, lambda } = runtime({
      f: async (event) => {
        calls++;
        (event as { a: number }).a = 99;
        return { outcome: 'failed', reason: 'terminal' };
      },
    });
    const payload = { a: 1 };
    lambda.invokeAsync('f', payload, { kind: 'direct', ref: 'r', label: 'test' });
    await clock.runUntil(T0 + 3600_000);
    expect(calls).toBe(1);
    expect(payload.a).toBe(1);
    expect(lambda.invocations[0]).toMatchObject({ outcome: 'failed', reason: 'terminal' });
    expect(lambda.failures).toEqual([]);
    expect(lambda.functionOfArn('arn:aws:lambda:us-east-1:111122223333:function:p-f')).toBe('f');
  });
});

describe('event bus', () => {
  const routes = loadRoutes(ROOT);

  it('delivers each event to the functions serverless.yml routes it to', async () => {
    const got: string[] = [];
    const handler =
      (name: string): LambdaHandler =>
      async () => {
        got.push(name);
        return { outcome: 'noop', reason: '' };
      };
    const { clock, lambda } = runtime(
      Object.fromEntries(['rollback', 'notify', 'record-release', 'cleanup'].map((n) => [n, handler(n)])),
    );
    const bus = new EventBus(
      routes,
      clock,
      lambda,
      {},
      new FaultDice(createPrng(1)),
      createPrng(1),
      1000,
      () => {},
    );
    const record = bus.put(loadFixture<BusEvent>('apprunner-operation/deployment-failed'), 'scenario');
    expect(record.targets).toEqual(['rollback', 'notify']);
    bus.put(loadFixture<BusEvent>('apprunner-camel/create-failed'), 'scenario');
    await clock.runUntil(T0 + 10_000);
    expect(got.sort()).toEqual(['cleanup', 'notify', 'notify', 'rollback']);
  });

  it('duplicates deliveries and shuffles their order when the scenario says so, reproducibly', async () => {
    const order = async (seed: number) => {
      const got: string[] = [];
      const { clock, lambda } = runtime({
        'record-release': async (e) => {
          got.push((e as BusEvent).id);
          return { outcome: 'noop', reason: '' };
        },
      });
      const bus = new EventBus(
        routes,
        clock,
        lambda,
        { duplicate: { rate: 1 }, shuffleSeconds: 30 },
        new FaultDice(createPrng(seed)),
        createPrng(seed),
        1000,
        () => {},
      );
      for (let i = 0; i < 6; i++) {
        const e = loadFixture<BusEvent>('apprunner-operation/deployment-completed-successfully');
        e.id = `e${i}`;
        bus.put(e, 'scenario');
      }
      await clock.runUntil(T0 + 120_000);
      return got;
    };
    const a = await order(3);
    expect(a).toHaveLength(12);
    expect(new Set(a).size).toBe(6);
    expect(a).not.toEqual([...a].sort());
    expect(await order(3)).toEqual(a);
  });
});

describe('Slack rendering', () => {
  it('renders Block Kit as text a reader sees: header, fields, links, decoded entities', () => {
    const text = renderSlackText({
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Rollback Completed' } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'a &lt;b&gt; &amp; <https://x.example|link>' },
          fields: [{ type: 'mrkdwn', text: '*Service*\npayments' }],
        },
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: 'https://console' }],
        },
      ],
    });
    expect(text).toBe(
      '*Rollback Completed*\na <b> & link (https://x.example)\n  *Service* payments\n[Open] https://console',
    );
    expect(renderMrkdwn('plain')).toBe('plain');
  });
});
