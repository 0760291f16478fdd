import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  MessageNotInflight,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  ResourceNotFoundException,
  SendMessageCommand,
  SQSClient,
  type SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../sandbox/clock.ts';
import { scenarioFaults } from '../../sandbox/faults.ts';
import { ApiError, apiHandler, type LocalServer, listen } from '../../sandbox/http.ts';
import { createPrng } from '../../sandbox/prng.ts';
import { parseScenario } from '../../sandbox/scenario.ts';
import { SqsStandIn } from '../../sandbox/sqs.ts';
import { dispatchSqs, sqsProtocol } from '../../sandbox/sqs-api.ts';
import { ACCOUNT, CREDENTIALS, REGION, testHooks } from './support.ts';

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
    expect(codeOf(() => sqs.send('guard-rollback', 'nul \u0000'))).toBe('InvalidMessageContents');
    expect(codeOf(() => sqs.send('guard-rollback', 'x'.repeat(262_145)))).toBe('InvalidParameterValue');
    expect(codeOf(() => sqs.send('guard-rollback', ''))).toBe('MissingParameter');
    expect(codeOf(() => sqs.receive('guard-rollback', 11))).toBe('InvalidParameterValue');
    expect(sqs.send('guard-rollback', 'x'.repeat(262_144))).toBeTruthy();
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

describe('SQS stand-in through @aws-sdk/client-sqs over HTTP', () => {
  let clock: SimClock;
  let sqs: SqsStandIn;
  let server: LocalServer;
  let client: SQSClient;
  let faults: { sqs?: { throttle?: { times: number } } } = {};

  beforeAll(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    clock = new SimClock(new Date(START));
    sqs = new SqsStandIn(clock, createPrng(2, 'sqs'), { account: ACCOUNT, region: REGION });
    const { hooks } = testHooks(clock);
    server = await listen(
      apiHandler(
        'sqs',
        sqsProtocol,
        async (op, req) => dispatchSqs(sqs, op, req),
        () => ({ ...hooks, faults: (api) => faults[api as 'sqs'] }),
      ),
    );
    client = new SQSClient({
      endpoint: server.url,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  const error = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e as SQSServiceException;
    }
    throw new Error('expected the call to fail');
  };

  it('creates queues with a redrive policy and reads their attributes', async () => {
    const dlq = await client.send(new CreateQueueCommand({ QueueName: 'http-dlq' }));
    expect(dlq.QueueUrl).toBe(`${server.url}/${ACCOUNT}/http-dlq`);
    const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:http-dlq`;
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({
        QueueName: 'http-main',
        Attributes: {
          VisibilityTimeout: '45',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    );
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'http-main' }))).QueueUrl).toBe(QueueUrl);
    const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'http-' }));
    expect(listed.QueueUrls).toEqual([dlq.QueueUrl, QueueUrl]);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:http-main`,
      VisibilityTimeout: '45',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 2,
    });
    const sources = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl }));
    expect(sources.queueUrls).toEqual([QueueUrl]);
  });

  it('sends, peeks, receives, changes visibility and deletes, with the SDK checking the MD5s', async () => {
    const QueueUrl = `${server.url}/${ACCOUNT}/http-main`;
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"detail-type":"x"}',
        MessageAttributes: { error: { DataType: 'String', StringValue: 'Slack 503' } },
      }),
    );
    expect(sent.MessageId).toBeTruthy();
    const peek = await client.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    expect(peek.Messages).toHaveLength(1);
    expect(peek.Messages![0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"detail-type":"x"}',
      Attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(START) },
      MessageAttributes: { error: { DataType: 'String', StringValue: 'Slack 503' } },
    });
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl }));
    const handle = Messages![0]!.ReceiptHandle!;
    expect(Messages![0]!.Attributes).toBeUndefined();
    const attrs = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 120 }),
    );
    expect(sqs.nextVisibleAt('http-main')).toBe(START + 120_000);
    const invalid = await error(
      client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 50_000 }),
      ),
    );
    expect(invalid.name).toBe('InvalidParameterValue');
    expect(invalid.$metadata.httpStatusCode).toBe(400);
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle }));
    const stale = await error(client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle })));
    expect(stale).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(sqs.depth('http-main')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("answers SQS's modelled errors, which the SDK deserializes into its own classes", async () => {
    const missing = await error(client.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing.message).toBe('The specified queue does not exist.');
    const gone = await error(
      client.send(new SendMessageCommand({ QueueUrl: `${server.url}/${ACCOUNT}/nope`, MessageBody: 'x' })),
    );
    expect(gone).toBeInstanceOf(QueueDoesNotExist);
    const QueueUrl = `${server.url}/${ACCOUNT}/http-main`;
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'y' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
    const notInFlight = await error(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: Messages![0]!.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    expect(notInFlight).toBeInstanceOf(MessageNotInflight);
    const noTask = await error(
      client.send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:nope` })),
    );
    expect(noTask).toBeInstanceOf(ResourceNotFoundException);
  });

  it('redrives through the DLQ and back with a message move task', async () => {
    const QueueUrl = `${server.url}/${ACCOUNT}/http-main`;
    const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:http-dlq`;
    // 'y' from the previous test is waiting: receive it past maxReceiveCount (2).
    for (let i = 0; i < 3; i++) {
      await clock.runUntil(clock.now + 46_000);
      await client.send(new ReceiveMessageCommand({ QueueUrl }));
    }
    expect(sqs.depth('http-dlq').visible).toBe(1);
    const { TaskHandle } = await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(TaskHandle).toBeTruthy();
    const running = await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(running.Results![0]).toMatchObject({
      TaskHandle,
      Status: 'RUNNING',
      SourceArn: dlqArn,
      ApproximateNumberOfMessagesToMove: 1,
    });
    await clock.runUntil(clock.now + 2_000);
    const done = await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(done.Results![0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 });
    expect(done.Results![0]!.TaskHandle).toBeUndefined();
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(Messages![0]).toMatchObject({ Body: 'y', Attributes: { ApproximateReceiveCount: '1' } });
  });

  it('takes its faults from a scenario like every stand-in (faults.sqs)', () => {
    const scenario = parseScenario({
      name: 'sqs-faults',
      start: '2026-11-20T10:00:00Z',
      faults: { sqs: { serverError: { rate: 0.5, operations: ['ReceiveMessage'], until: '+10m' } } },
    });
    expect(scenarioFaults(scenario, START).api.sqs).toEqual({
      serverError: { rate: 0.5, operations: ['ReceiveMessage'], until: START + 600_000 },
    });
  });

  it("goes through the sandbox's fault layer: an injected throttle is SQS's RequestThrottled", async () => {
    faults = { sqs: { throttle: { times: 1 } } };
    try {
      const throttled = await error(client.send(new ListQueuesCommand({})));
      expect(throttled.name).toBe('RequestThrottled');
      expect(throttled.$metadata.httpStatusCode).toBe(403);
      expect((await client.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(2);
    } finally {
      faults = {};
    }
  });

  it('follows the QueueUrl host when the endpoint comes from AWS_ENDPOINT_URL_SQS, as the guard configures clients', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL_SQS = server.url;
    const plain = new SQSClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const { QueueUrl } = await plain.send(new GetQueueUrlCommand({ QueueName: 'http-dlq' }));
      const attrs = await plain.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      expect(attrs.Attributes?.QueueArn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:http-dlq`);
    } finally {
      plain.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
      else process.env.AWS_ENDPOINT_URL_SQS = saved;
    }
  });
});
