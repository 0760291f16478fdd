import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createIdempotencyStore } from '../../../lib/aws/idempotency.ts';
import { backoffSeconds, MAX_WAIT_SECONDS, QUEUE_DELIVERY } from '../../../lib/core/delivery-policy.ts';
import { RetryAfterError } from '../../../lib/core/errors.ts';
import { withGuard } from '../../../lib/core/handler-stack.ts';
import {
  deliverFromQueue,
  type EventHandler,
  recordOutcomesOf,
  type VisibilityPort,
} from '../../../lib/core/queue-delivery.ts';
import { appRunnerTrigger } from '../../../lib/events/parse-trigger.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';
import { hubTargets, lambdaContext } from '../../support/env.ts';
import { loadFixture } from '../../support/fixtures.ts';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:apprunner-guard-rollback';
const NOW = Date.parse('2026-03-02T10:00:00Z');
const context = lambdaContext() as unknown as Context;

function record(body: string, n: number, attributes: Partial<SQSRecord['attributes']> = {}): SQSRecord {
  return {
    messageId: `m-${n}`,
    receiptHandle: `rh-${n}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(NOW - 10_000),
      SenderId: 'AIDAEVENTS',
      ApproximateFirstReceiveTimestamp: String(NOW - 5_000),
      ...attributes,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const event = (id: string) => ({
  ...loadFixture<Record<string, unknown>>('apprunner-operation/deployment-failed'),
  id,
});

function build(handler: EventHandler, job: 'rollback' | 'notify' = 'rollback') {
  const calls: Array<{ queueArn: string; receiptHandle: string; seconds: number }> = [];
  const visibility: VisibilityPort = {
    changeVisibility: vi.fn(async (queueArn, receiptHandle, seconds) => {
      calls.push({ queueArn, receiptHandle, seconds });
    }),
  };
  const onReject = vi.fn(async () => {});
  const onGiveUp = vi.fn(async (_event: unknown, _error: Error) => {});
  const deliver = deliverFromQueue(handler, { job, visibility, onReject, onGiveUp, now: () => NOW });
  return { deliver: (e: unknown) => deliver(e, context), calls, onReject, onGiveUp, visibility };
}

describe('deliverFromQueue', () => {
  it('acknowledges every record a handler returned for, whatever its outcome', async () => {
    const outcomes = ['acted', 'noop', 'rejected', 'failed'];
    const handler = vi.fn(async (e: unknown) => ({
      outcome: outcomes[Number((e as { id: string }).id)],
      reason: 'r',
    }));
    const { deliver, calls } = build(handler);
    const response = await deliver(
      batch(...outcomes.map((_, i) => record(JSON.stringify(event(String(i))), i))),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handler).toHaveBeenCalledTimes(4);
    expect(handler.mock.calls[0]![0]).toEqual(event('0'));
    expect(recordOutcomesOf(response)!.map((o) => o.outcome)).toEqual(outcomes);
    expect(calls).toEqual([]);
  });

  it("makes a retry-after record visible again after the job's delay and reports it as a failure", async () => {
    const { deliver, calls, onGiveUp } = build(async () => {
      throw new RetryAfterError('OPERATION_IN_PROGRESS: App Runner is still rolling back', 300);
    });
    const response = await deliver(batch(record(JSON.stringify(event('e1')), 1)));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(calls).toEqual([{ queueArn: QUEUE_ARN, receiptHandle: 'rh-1', seconds: 300 }]);
    expect(onGiveUp).not.toHaveBeenCalled();
    expect(recordOutcomesOf(response)![0]).toMatchObject({
      outcome: 'retry-after',
      retryAt: new Date(NOW + 300_000).toISOString(),
    });
  });

  it("caps a retry-after delay below SQS's 12-hour visibility limit", async () => {
    const calls: number[] = [];
    const deliver = deliverFromQueue(
      async () => {
        throw new RetryAfterError('later', 20 * 60 * 60);
      },
      {
        job: 'notify',
        maxWaitSeconds: 48 * 60 * 60,
        visibility: { changeVisibility: async (_q, _r, seconds) => void calls.push(seconds) },
        onReject: async () => {},
        onGiveUp: async () => {},
        now: () => NOW,
      },
    );
    await deliver(batch(record(JSON.stringify(event('e2')), 2)), context);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeLessThanOrEqual(43_200);
    expect(calls[0]).toBeGreaterThan(43_000);
  });

  it('reports a plain error as a failure that comes back after an exponential, capped backoff', async () => {
    const { deliver, calls } = build(async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    });
    const response = await deliver(
      batch(
        record(JSON.stringify(event('a')), 1, { ApproximateReceiveCount: '1' }),
        record(JSON.stringify(event('b')), 2, { ApproximateReceiveCount: '3' }),
        record(JSON.stringify(event('c')), 3, { ApproximateReceiveCount: '40' }),
      ),
    );
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }],
    });
    expect(calls.map((c) => c.seconds)).toEqual([30, 120, 900]);
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffSeconds)).toEqual([30, 60, 120, 240, 480, 900, 900]);
  });

  it('reports only the failed records of a mixed batch', async () => {
    const { deliver } = build(async (e) => {
      const id = (e as { id: string }).id;
      if (id === 'retry') throw new RetryAfterError('in progress', 60);
      if (id === 'boom') throw new Error('boom');
      return { outcome: 'acted', reason: 'pinned' };
    });
    const response = await deliver(
      batch(
        record(JSON.stringify(event('ok-1')), 1),
        record(JSON.stringify(event('retry')), 2),
        record(JSON.stringify(event('ok-2')), 3),
        record(JSON.stringify(event('boom')), 4),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-4' }] });
  });

  it("gives up once, and acknowledges, when the delay would pass the job's maximum wait", async () => {
    const error = new RetryAfterError('in progress', 600);
    const { deliver, calls, onGiveUp } = build(async () => {
      throw error;
    });
    const old = NOW - (MAX_WAIT_SECONDS.rollback - 300) * 1000;
    const response = await deliver(
      batch(record(JSON.stringify(event('late')), 1, { SentTimestamp: String(old) })),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(onGiveUp).toHaveBeenCalledTimes(1);
    expect(onGiveUp.mock.calls[0]![0]).toEqual(event('late'));
    expect(onGiveUp.mock.calls[0]![1]).toBe(error);
    expect(calls).toEqual([]);
    expect(recordOutcomesOf(response)![0]!.outcome).toBe('gave-up');
  });

  it("gives up on the queue's last receive rather than let a retry-after fall into the DLQ", async () => {
    const { deliver, onGiveUp } = build(async () => {
      throw new RetryAfterError('in progress', 60);
    });
    const response = await deliver(
      batch(
        record(JSON.stringify(event('last')), 1, {
          ApproximateReceiveCount: String(QUEUE_DELIVERY.maxReceiveCount),
        }),
      ),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(onGiveUp).toHaveBeenCalledTimes(1);
  });

  it('keeps a record whose give-up report failed, to report it on its next receive', async () => {
    const { deliver, onGiveUp } = build(async () => {
      throw new RetryAfterError('in progress', 600);
    });
    onGiveUp.mockRejectedValueOnce(new Error('PutEvents throttled'));
    const old = String(NOW - MAX_WAIT_SECONDS.rollback * 1000);
    const response = await deliver(batch(record(JSON.stringify(event('x')), 1, { SentTimestamp: old })));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });

  it('rejects a body that is not JSON: counted, acknowledged, never handled or retried', async () => {
    const handler = vi.fn(async () => ({ outcome: 'acted', reason: 'x' }));
    const { deliver, onReject, calls } = build(handler);
    const response = await deliver(batch(record('{"not json', 1), record(JSON.stringify(event('ok')), 2)));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(onReject).toHaveBeenCalledTimes(1);
    expect(onReject.mock.calls[0]).toEqual([expect.objectContaining({ field: 'body' }), '{"not json']);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(calls).toEqual([]);
    expect(recordOutcomesOf(response)![0]!.outcome).toBe('rejected');
  });

  it('passes a direct invocation (a Scheduler payload, an EventBridge event) straight to the handler', async () => {
    const handler = vi.fn(async (e: unknown) => ({ outcome: 'noop', reason: 'ok', got: e }));
    const { deliver } = build(handler);
    const payload = { action: 'sweep', scheduledTime: '2026-03-02T10:00:00Z' };
    expect(await deliver(payload)).toEqual({ outcome: 'noop', reason: 'ok', got: payload });
    const bare = event('direct');
    expect(await deliver(bare)).toMatchObject({ got: bare });
    expect(await deliver({ Records: [] })).toMatchObject({ got: { Records: [] } });
  });

  it('still reports the record as a failure when the visibility cannot be changed', async () => {
    const { deliver, visibility } = build(async () => {
      throw new RetryAfterError('in progress', 60);
    });
    vi.mocked(visibility.changeVisibility).mockRejectedValueOnce(new Error('SQS down'));
    const response = await deliver(batch(record(JSON.stringify(event('v')), 1)));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });
});

describe('deliverFromQueue with the handler stack', () => {
  const TABLE = 'queue-delivery-idempotency';
  const db = useDynamoDB({ tables: { idempotency: TABLE, ledger: 'queue-delivery-ledger' } });

  function stack(run: () => Promise<{ outcome: 'acted'; reason: string }>) {
    const body = vi.fn(run);
    const handler = withGuard({
      job: 'rollback',
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      parse: appRunnerTrigger(hubTargets()),
      onReject: async () => {},
      run: body,
      reportFailure: async () => {},
      persistenceStore: createIdempotencyStore(db.client, TABLE),
    });
    return { body, ...build(handler as EventHandler) };
  }

  it('keeps idempotency on the event id: the same event in two messages runs the job once', async () => {
    const { deliver, body } = stack(async () => ({ outcome: 'acted', reason: 'pinned' }));
    const e = event(crypto.randomUUID());
    const response = await deliver(batch(record(JSON.stringify(e), 1), record(JSON.stringify(e), 2)));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(body).toHaveBeenCalledTimes(1);
    expect(recordOutcomesOf(response)!.map((o) => o.outcome)).toEqual(['acted', 'acted']);
  });

  it('runs a retried event again after a retry-after (the failed attempt is not remembered)', async () => {
    let attempt = 0;
    const { deliver, body } = stack(async () => {
      attempt++;
      if (attempt === 1) throw new RetryAfterError('in progress', 120);
      return { outcome: 'acted', reason: 'pinned' };
    });
    const e = JSON.stringify(event(crypto.randomUUID()));
    expect(await deliver(batch(record(e, 1)))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(await deliver(batch(record(e, 1, { ApproximateReceiveCount: '2' })))).toEqual({
      batchItemFailures: [],
    });
    expect(body).toHaveBeenCalledTimes(2);
  });
});

describe('DefinedJob.createQueueHandler', () => {
  it("reports a give-up once with the job's own failure report, on the parsed event", async () => {
    const { defineJob } = await import('../../../lib/core/define-job.ts');
    const reportFailure = vi.fn(async () => {});
    const job = defineJob<{ id: string }, Record<string, unknown>>({
      job: 'rollback',
      parse: (raw) => ({ key: (raw as { id: string }).id, input: { id: (raw as { id: string }).id } }),
      run: async () => {
        throw new RetryAfterError('still in progress', 600);
      },
      reportFailure,
    });
    const handler = job.createQueueHandler(
      {
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
        idempotency: false,
        onReject: async () => {},
      },
      { changeVisibility: async () => {} },
    );
    const old = String(Date.now() - MAX_WAIT_SECONDS.rollback * 1000);
    const response = await handler(
      batch(record(JSON.stringify({ id: 'e-1' }), 1, { SentTimestamp: old })),
      context,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(reportFailure).toHaveBeenCalledTimes(1);
    expect(reportFailure.mock.calls[0]).toEqual(
      expect.arrayContaining([{ id: 'e-1' }, expect.any(RetryAfterError)]),
    );
  });
});
