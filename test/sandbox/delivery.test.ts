import { describe, expect, it } from 'vitest';
import { QUEUE_DELIVERY } from '../../lib/core/delivery-policy.ts';
import { RetryAfterError } from '../../lib/core/errors.ts';
import { deliverFromQueue, type EventHandler } from '../../lib/core/queue-delivery.ts';
import { EventBus } from '../../sandbox/bus.ts';
import { SimClock } from '../../sandbox/clock.ts';
import { type DeadLetter, QueueDelivery, stringifyIteratively } from '../../sandbox/delivery.ts';
import type { BusEvent } from '../../sandbox/eventbridge.ts';
import { FaultDice } from '../../sandbox/faults.ts';
import { type Invocation, LambdaRuntime } from '../../sandbox/lambda.ts';
import { createPrng } from '../../sandbox/prng.ts';
import { loadRoutes } from '../../sandbox/routes.ts';
import { ROOT } from '../../sandbox/run.ts';
import { SqsStandIn } from '../../sandbox/sqs.ts';
import { loadFixture } from '../support/fixtures.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const ACCOUNT = '111122223333';

/** The stack's queues with fake handlers, each wrapped as the function files wrap theirs. */
function world(handlers: Record<string, EventHandler>, duplicate?: { rate: number }) {
  const clock = new SimClock(new Date(T0));
  const sqs = new SqsStandIn(clock, createPrng(1, 'sqs'), { account: ACCOUNT, region: 'us-east-1' });
  const gaveUp: unknown[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(handlers).map(([fn, h]) => [
      fn,
      deliverFromQueue(h, {
        job: fn as 'rollback',
        visibility: {
          changeVisibility: async (arn, handle, seconds) =>
            sqs.changeVisibility(arn.slice(arn.lastIndexOf(':') + 1), handle, seconds),
        },
        onReject: async () => {},
        onGiveUp: async (event) => void gaveUp.push(event),
        now: () => clock.now,
      }) as (e: unknown) => Promise<unknown>,
    ]),
  );
  const invocations: Invocation[] = [];
  const lambda = new LambdaRuntime(
    clock,
    new Map(Object.entries(wrapped)),
    createPrng(1, 'l'),
    {
      functionPrefix: 'p-',
      account: ACCOUNT,
      region: 'us-east-1',
      retryDelaysSeconds: [60, 120],
      timeoutMs: 1000,
    },
    { begin: () => (i) => invocations.push(i), failure: () => {} },
  );
  const dead: DeadLetter[] = [];
  const queues = new QueueDelivery(clock, sqs, lambda, 'p-', { deadLetter: (d) => dead.push(d) });
  const bus = new EventBus(
    loadRoutes(ROOT),
    clock,
    lambda,
    duplicate ? { duplicate } : {},
    new FaultDice(createPrng(1, 'f')),
    createPrng(1, 'd'),
    1000,
    () => {},
    queues,
  );
  return { clock, sqs, bus, queues, invocations, dead, gaveUp };
}

const failed = () => loadFixture<BusEvent>('apprunner-operation/deployment-failed');

describe('buffered delivery in the sandbox', () => {
  it("sends each routed event to the function's queue, invokes with an SQS batch and deletes what was handled", async () => {
    const seen: unknown[] = [];
    const { clock, bus, sqs, invocations } = world({
      rollback: async (e) => {
        seen.push(e);
        return { outcome: 'acted', reason: 'pinned' };
      },
      notify: async () => ({ outcome: 'acted', reason: 'alerted' }),
    });
    bus.put(failed(), 'scenario');
    await clock.runUntil(T0 + 60_000);
    expect(seen).toEqual([failed()]);
    expect(invocations.map((i) => [i.function, i.attempt, i.outcome]).sort()).toEqual([
      ['notify', 1, 'acted'],
      ['rollback', 1, 'acted'],
    ]);
    for (const fn of ['rollback', 'notify']) {
      expect(sqs.depth(`p-${fn}`)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    }
  });

  it('brings a retry-after message back when the job asked, and shows when in the invocation', async () => {
    let calls = 0;
    const { clock, bus, invocations } = world({
      rollback: async () => {
        calls++;
        if (calls < 3) throw new RetryAfterError('OPERATION_IN_PROGRESS', 300);
        return { outcome: 'acted', reason: 'pinned' };
      },
      notify: async () => ({ outcome: 'noop', reason: '' }),
    });
    bus.put(failed(), 'scenario');
    await clock.runUntil(T0 + 60 * 60_000);
    const runs = invocations.filter((i) => i.function === 'rollback');
    expect(runs.map((i) => [i.attempt, i.outcome])).toEqual([
      [1, 'retry-after'],
      [2, 'retry-after'],
      [3, 'acted'],
    ]);
    expect((Date.parse(runs[1]!.time) - Date.parse(runs[0]!.time)) / 1000).toBe(300);
    expect(runs[0]!.reason).toContain(`back at ${runs[1]!.time.slice(11, 19)}`);
  });

  it('delivers a duplicated event as two messages, each handled', async () => {
    const ids: string[] = [];
    const { clock, bus, invocations } = world(
      {
        rollback: async (e) => {
          ids.push((e as BusEvent).id);
          return { outcome: 'noop', reason: '' };
        },
        notify: async () => ({ outcome: 'noop', reason: '' }),
      },
      { rate: 1 },
    );
    bus.put(failed(), 'scenario');
    await clock.runUntil(T0 + 60_000);
    expect(ids).toEqual([failed().id, failed().id]);
    expect(invocations.filter((i) => i.function === 'rollback' && i.trigger.duplicate)).toHaveLength(1);
  });

  it("moves a message that keeps failing to the DLQ after the redrive policy's receive count", async () => {
    const { clock, bus, dead, queues, invocations } = world({
      rollback: async () => {
        throw new Error('boom');
      },
      notify: async () => ({ outcome: 'noop', reason: '' }),
    });
    bus.put(failed(), 'scenario');
    await clock.runUntil(T0 + 3 * 24 * 60 * 60_000);
    expect(invocations.filter((i) => i.function === 'rollback')).toHaveLength(QUEUE_DELIVERY.maxReceiveCount);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      function: 'rollback',
      attempts: QUEUE_DELIVERY.maxReceiveCount,
      error: expect.stringContaining('boom'),
      payload: failed(),
    });
    expect(queues.deadLetters().rollback).toBe(1);
  });

  it("gives up once on a retry-after past the job's maximum wait, and acknowledges", async () => {
    const { clock, bus, gaveUp, invocations, dead } = world({
      rollback: async () => {
        throw new RetryAfterError('still in progress', 20 * 60);
      },
      notify: async () => ({ outcome: 'noop', reason: '' }),
    });
    bus.put(failed(), 'scenario');
    await clock.runUntil(T0 + 6 * 60 * 60_000);
    expect(gaveUp).toHaveLength(1);
    const runs = invocations.filter((i) => i.function === 'rollback');
    expect(runs.at(-1)!.outcome).toBe('gave-up');
    // rollback waits at most an hour: 20-minute delays give it three more looks.
    expect(runs.map((i) => i.outcome)).toEqual(['retry-after', 'retry-after', 'retry-after', 'gave-up']);
    expect(dead).toEqual([]);
  });

  it('serialises a message body like JSON.stringify, without recursing', () => {
    const e = loadFixture('apprunner-operation/deployment-failed');
    expect(stringifyIteratively(e)).toBe(JSON.stringify(e));
    expect(stringifyIteratively({ a: [1, 'x', null, { b: true }], c: undefined })).toBe(
      '{"a":[1,"x",null,{"b":true}]}',
    );
    let deep: unknown = {};
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    expect(stringifyIteratively(deep).length).toBe(20_000 * 6 + 2);
  });
});
