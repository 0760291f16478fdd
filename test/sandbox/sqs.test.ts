import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sandbox/clock.ts';
import { ApiError } from '../../sandbox/http.ts';
import { createPrng } from '../../sandbox/prng.ts';
import { SqsStandIn } from '../../sandbox/sqs.ts';
import { ACCOUNT, REGION } from './support.ts';

const START = Date.parse('2026-11-20T10:00:00Z');

function world() {
  const clock = new SimClock(new Date(START));
  const sqs = new SqsStandIn(clock, createPrng(1, 'sqs'), { account: ACCOUNT, region: REGION });
  const dlq = sqs.createQueue('guard-rollback-dlq', { visibilityTimeoutSeconds: 30 });
  const queue = sqs.createQueue('guard-rollback', {
    visibilityTimeoutSeconds: 60,
    redrive: { deadLetterQueue: dlq.arn, maxReceiveCount: 3 },
  });
  const at = (seconds: number) => clock.runUntil(START + seconds * 1000);
  return { clock, sqs, dlq, queue, at };
}

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return undefined;
};

describe('SQS stand-in (in process)', () => {
  it('hands out a message as Lambda sees it and hides it for the visibility timeout on the simulated clock', async () => {
    const { sqs, queue, at } = world();
    const id = sqs.send('guard-rollback', '{"a":1}', { messageAttributes: { error: 'boom' } });
    const [r] = sqs.receive(queue.url, 10);
    expect(r).toMatchObject({
      messageId: id,
      body: '{"a":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:guard-rollback`,
      awsRegion: REGION,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(START),
        ApproximateFirstReceiveTimestamp: String(START),
      },
      messageAttributes: { error: { dataType: 'String', stringValue: 'boom' } },
    });
    expect(r!.attributes.SenderId).toBeTruthy();
    expect(sqs.depth(queue.arn)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(sqs.receive('guard-rollback', 10)).toEqual([]);
    expect(sqs.nextVisibleAt('guard-rollback')).toBe(START + 60_000);
    await at(59);
    expect(sqs.receive('guard-rollback', 10)).toEqual([]);
    await at(60);
    const [again] = sqs.receive('guard-rollback', 10);
    expect(again!.attributes.ApproximateReceiveCount).toBe('2');
    expect(again!.attributes.ApproximateFirstReceiveTimestamp).toBe(String(START));
    expect(again!.receiptHandle).not.toBe(r!.receiptHandle);
  });

  it('moves a message to the DLQ instead of a receive beyond maxReceiveCount, keeping its id and sent time', async () => {
    const { sqs, dlq, queue, at } = world();
    const id = sqs.send('guard-rollback', 'event');
    for (let i = 1; i <= 3; i++) {
      await at((i - 1) * 60);
      expect(sqs.receive('guard-rollback', 1)[0]!.attributes.ApproximateReceiveCount).toBe(String(i));
    }
    await at(180);
    expect(sqs.receive('guard-rollback', 1)).toEqual([]);
    expect(sqs.depth('guard-rollback')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(sqs.depth('guard-rollback-dlq')).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    const [dead] = sqs.receive(dlq.url, 10, 0);
    expect(dead).toMatchObject({
      messageId: id,
      body: 'event',
      attributes: { SentTimestamp: String(START), DeadLetterQueueSourceArn: queue.arn },
    });
    expect(sqs.deadLetterSources('guard-rollback-dlq')).toEqual(['guard-rollback']);
  });

  it('delays a message, and a deleted message is gone; a stale receipt handle is refused', async () => {
    const { sqs, at } = world();
    sqs.send('guard-rollback', 'later', { delaySeconds: 90 });
    expect(sqs.depth('guard-rollback')).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(sqs.nextVisibleAt('guard-rollback')).toBe(START + 90_000);
    expect(sqs.receive('guard-rollback', 10)).toEqual([]);
    await at(90);
    const [first] = sqs.receive('guard-rollback', 10);
    await at(150);
    const [second] = sqs.receive('guard-rollback', 10);
    expect(codeOf(() => sqs.delete('guard-rollback', first!.receiptHandle))).toBe('ReceiptHandleIsInvalid');
    sqs.delete('guard-rollback', second!.receiptHandle);
    expect(sqs.depth('guard-rollback')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(sqs.nextVisibleAt('guard-rollback')).toBeUndefined();
    expect(codeOf(() => sqs.delete('guard-rollback', second!.receiptHandle))).toBe('ReceiptHandleIsInvalid');
    expect(codeOf(() => sqs.send('guard-rollback', 'x', { delaySeconds: 901 }))).toBe(
      'InvalidParameterValue',
    );
  });

  it('changes a message visibility (0 returns it at once), within 0..43200 seconds', async () => {
    const { sqs, at } = world();
    sqs.send('guard-rollback', 'retry me');
    const [r] = sqs.receive('guard-rollback', 1);
    sqs.changeVisibility('guard-rollback', r!.receiptHandle, 600);
    expect(sqs.nextVisibleAt('guard-rollback')).toBe(START + 600_000);
    expect(codeOf(() => sqs.changeVisibility('guard-rollback', r!.receiptHandle, 43_201))).toBe(
      'InvalidParameterValue',
    );
    expect(codeOf(() => sqs.changeVisibility('guard-rollback', r!.receiptHandle, -1))).toBe(
      'InvalidParameterValue',
    );
    sqs.changeVisibility('guard-rollback', r!.receiptHandle, 0);
    expect(sqs.depth('guard-rollback').visible).toBe(1);
    expect(codeOf(() => sqs.changeVisibility('guard-rollback', r!.receiptHandle, 10))).toBe(
      'MessageNotInflight',
    );
    await at(1);
    expect(sqs.receive('guard-rollback', 1)[0]!.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('tells listeners of each change', () => {
    const { sqs } = world();
    const heard: string[] = [];
    sqs.onChange((q) => heard.push(q));
    sqs.send('guard-rollback', 'x');
    const [r] = sqs.receive('guard-rollback', 1);
    sqs.delete('guard-rollback', r!.receiptHandle);
    expect(heard).toEqual(['guard-rollback', 'guard-rollback', 'guard-rollback']);
  });

  it('refuses an unknown queue and a redrive target that does not exist', () => {
    const { sqs } = world();
    expect(codeOf(() => sqs.send('nope', 'x'))).toBe('QueueDoesNotExist');
    expect(codeOf(() => sqs.depth('nope'))).toBe('QueueDoesNotExist');
    expect(
      codeOf(() =>
        sqs.createQueue('q', {
          visibilityTimeoutSeconds: 30,
          redrive: { deadLetterQueue: 'missing', maxReceiveCount: 3 },
        }),
      ),
    ).toBe('InvalidParameterValue');
  });

  it('moves dead letters back to their source queue with a move task, resetting receive counts', async () => {
    const { sqs, dlq, queue, at } = world();
    for (const body of ['a', 'b']) sqs.send('guard-rollback', body);
    for (let i = 0; i < 4; i++) {
      await at(i * 60);
      sqs.receive('guard-rollback', 10);
    }
    expect(sqs.depth(dlq.arn).visible).toBe(2);
    expect(codeOf(() => sqs.startMoveTask(queue.arn))).toBe('InvalidParameterValue');
    const task = sqs.startMoveTask(dlq.arn);
    expect(task).toMatchObject({ status: 'RUNNING', toMove: 2, moved: 0, sourceArn: dlq.arn });
    expect(codeOf(() => sqs.startMoveTask(dlq.arn))).toBe('UnsupportedOperation');
    await at(181);
    expect(sqs.listMoveTasks(dlq.arn)[0]).toMatchObject({ status: 'COMPLETED', moved: 2 });
    expect(sqs.depth(dlq.arn)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const back = sqs.receive('guard-rollback', 10);
    expect(back.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['a', '1'],
      ['b', '1'],
    ]);
  });
});
