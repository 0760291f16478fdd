import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../sandbox/clock.ts';
import { EcrStandIn } from '../../sandbox/ecr.ts';
import { type BusEvent, EventBridgeStandIn } from '../../sandbox/eventbridge.ts';
import { FaultDice, type SlackFaults } from '../../sandbox/faults.ts';
import { apiHandler, awsJsonProtocol, type LocalServer, listen } from '../../sandbox/http.ts';
import { digestOf, ImageRegistry } from '../../sandbox/images.ts';
import { createPrng } from '../../sandbox/prng.ts';
import { SchedulerStandIn, schedulerProtocol } from '../../sandbox/scheduler.ts';
import { SlackReceiver } from '../../sandbox/slack.ts';
import { SnsStandIn, snsProtocol } from '../../sandbox/sns.ts';
import { SsmStandIn } from '../../sandbox/ssm.ts';
import { ACCOUNT, CREDENTIALS, REGION, testHooks } from './support.ts';

const clock = new SimClock(new Date('2026-11-20T10:00:00Z'));
const { hooks } = testHooks(clock);
const servers: LocalServer[] = [];
const serve = async (h: Parameters<typeof listen>[0]) => {
  const s = await listen(h);
  servers.push(s);
  return s.url;
};
const config = (endpoint: string) => ({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;

const registry = new ImageRegistry(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`);
const ids = createPrng(1, 'ids');
const sns = new SnsStandIn(
  new Set([TOPIC]),
  () => clock.now,
  () => ids.uuid(),
);
const bus: BusEvent[] = [];
const eventbridge = new EventBridgeStandIn(
  new Set(['default']),
  { account: ACCOUNT, region: REGION },
  () => clock.now,
  () => ids.uuid(),
  (e) => bus.push(e),
);
const fired: Array<{ name: string; payload: unknown }> = [];
const scheduler = new SchedulerStandIn({
  clock,
  account: ACCOUNT,
  region: REGION,
  groups: new Set(['default', 'guard']),
  nextId: () => ids.uuid(),
  invoke: (s, payload) => fired.push({ name: s.name, payload }),
});
const slackFaults: SlackFaults = {};
const slack = new SlackReceiver(clock, slackFaults, new FaultDice(createPrng(1, 'slack')));
let urls: Record<string, string>;

beforeAll(async () => {
  registry.push('payments:latest', { digest: 'good-v1', at: clock.now });
  urls = {
    ecr: await serve(
      apiHandler(
        'ecr',
        awsJsonProtocol('1.1', 'AmazonEC2ContainerRegistry_V20150921', 'ServerException'),
        (op, req) =>
          new EcrStandIn(
            () => registry,
            () => ({ account: ACCOUNT, region: REGION }),
          ).dispatch(op, req),
        () => hooks,
      ),
    ),
    ssm: await serve(
      apiHandler(
        'ssm',
        awsJsonProtocol('1.1', 'AmazonSSM', 'InternalServerError'),
        (op, req) =>
          new SsmStandIn(
            new Map([['/hook', { value: 'http://127.0.0.1:1/x', type: 'SecureString' as const }]]),
            { account: ACCOUNT, region: REGION },
            () => clock.now,
          ).dispatch(op, req),
        () => hooks,
      ),
    ),
    sns: await serve(
      apiHandler(
        'sns',
        snsProtocol,
        (op, req) => sns.dispatch(op, req),
        () => hooks,
      ),
    ),
    eventbridge: await serve(
      apiHandler(
        'eventbridge',
        awsJsonProtocol('1.1', 'AWSEvents', 'InternalException'),
        (op, req) => eventbridge.dispatch(op, req),
        () => hooks,
      ),
    ),
    scheduler: await serve(
      apiHandler(
        'scheduler',
        schedulerProtocol,
        (op, req) => scheduler.dispatch(op, req),
        () => hooks,
      ),
    ),
    slack: await serve((req) => slack.handle(req)),
  };
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('ECR stand-in (DescribeImages)', () => {
  it('resolves a tag to its current digest, and answers ImageNotFound / RepositoryNotFound', async () => {
    const ecr = new ECRClient(config(urls.ecr!));
    const out = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'payments', imageIds: [{ imageTag: 'latest' }] }),
    );
    expect(out.imageDetails?.[0]).toMatchObject({ imageDigest: digestOf('good-v1'), imageTags: ['latest'] });
    expect(out.imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'payments', imageIds: [{ imageTag: 'nope' }] })),
    ).rejects.toBeInstanceOf(ImageNotFoundException);
    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: 'ghost' }))).rejects.toBeInstanceOf(
      RepositoryNotFoundException,
    );
  });
});

describe('SSM stand-in (GetParameter)', () => {
  it('returns the decrypted SecureString, and ParameterNotFound for an unknown name', async () => {
    const ssm = new SSMClient(config(urls.ssm!));
    const out = await ssm.send(new GetParameterCommand({ Name: '/hook', WithDecryption: true }));
    expect(out.Parameter).toMatchObject({
      Name: '/hook',
      Type: 'SecureString',
      Value: 'http://127.0.0.1:1/x',
    });
    const raw = await ssm.send(new GetParameterCommand({ Name: '/hook' }));
    expect(raw.Parameter?.Value).not.toBe('http://127.0.0.1:1/x');
    await expect(ssm.send(new GetParameterCommand({ Name: '/missing' }))).rejects.toBeInstanceOf(
      ParameterNotFound,
    );
  });
});

describe('SNS stand-in (Publish, query protocol)', () => {
  it('records subject, message and String attributes; unknown topic is NotFoundException', async () => {
    const client = new SNSClient(config(urls.sns!));
    const out = await client.send(
      new PublishCommand({
        TopicArn: TOPIC,
        Subject: 'Rollback Completed: payments-api',
        Message: '{"title":"x"}',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'info' } },
      }),
    );
    expect(out.MessageId).toBe(sns.messages.at(-1)?.messageId);
    expect(sns.messages.at(-1)).toMatchObject({
      subject: 'Rollback Completed: payments-api',
      attributes: { severity: 'info' },
    });
    await expect(
      client.send(new PublishCommand({ TopicArn: `${TOPIC}-other`, Message: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    const long = await client
      .send(new PublishCommand({ TopicArn: TOPIC, Message: 'x', Subject: 'y'.repeat(100) }))
      .catch((e: Error) => e);
    expect((long as Error).name).toBe('InvalidParameterException');
  });
});

describe('EventBridge stand-in (PutEvents)', () => {
  it('puts accepted entries on the bus with an id, and reports malformed ones per entry', async () => {
    const client = new EventBridgeClient(config(urls.eventbridge!));
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'apprunner-guard',
            DetailType: 'Rollback Completed',
            Detail: '{"job":"rollback"}',
            Resources: ['arn:x'],
          },
          { Source: 'apprunner-guard', DetailType: 'Rollback Completed', Detail: 'not json' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[1]?.ErrorCode).toBe('MalformedDetail');
    expect(bus.at(-1)).toMatchObject({
      id: out.Entries?.[0]?.EventId,
      source: 'apprunner-guard',
      'detail-type': 'Rollback Completed',
      account: ACCOUNT,
      time: '2026-11-20T10:00:00Z',
      detail: { job: 'rollback' },
      resources: ['arn:x'],
    });
  });
});

describe('Scheduler stand-in (REST-JSON)', () => {
  it('creates, reads, refuses duplicates, fires at() on the clock with placeholders substituted, then deletes itself', async () => {
    const client = new SchedulerClient(config(urls.scheduler!));
    const create = () =>
      client.send(
        new CreateScheduleCommand({
          Name: 'cleanup-x',
          GroupName: 'guard',
          ScheduleExpression: 'at(2026-11-20T11:00:00)',
          ScheduleExpressionTimezone: 'Europe/Berlin',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: 'arn:aws:lambda:us-east-1:111122223333:function:f',
            RoleArn: 'arn:aws:iam::111122223333:role/r',
            Input: '{"at":"<aws.scheduler.scheduled-time>","arn":"<aws.scheduler.schedule-arn>"}',
          },
        }),
      );
    const out = await create();
    expect(out.ScheduleArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/guard/cleanup-x`);
    await expect(create()).rejects.toBeInstanceOf(ConflictException);
    const got = await client.send(new GetScheduleCommand({ Name: 'cleanup-x', GroupName: 'guard' }));
    expect(got).toMatchObject({ ScheduleExpression: 'at(2026-11-20T11:00:00)', State: 'ENABLED' });
    // 11:00 in Berlin is 10:00Z: due now.
    await clock.runUntil(clock.now + 1000);
    expect(fired).toEqual([
      { name: 'cleanup-x', payload: { at: '2026-11-20T10:00:00Z', arn: out.ScheduleArn } },
    ]);
    await expect(
      client.send(new GetScheduleCommand({ Name: 'cleanup-x', GroupName: 'guard' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new DeleteScheduleCommand({ Name: 'cleanup-x', GroupName: 'guard' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('fires a cron schedule in its own time zone, repeatedly', async () => {
    const before = fired.length;
    scheduler.create(
      'nightly',
      {
        ScheduleExpression: 'cron(0 20 * * ? *)',
        ScheduleExpressionTimezone: 'America/New_York',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:lambda:us-east-1:111122223333:function:f',
          RoleArn: 'r',
          Input: '{"t":"<aws.scheduler.scheduled-time>"}',
        },
      },
      'deployed',
    );
    await clock.runUntil(Date.parse('2026-11-22T12:00:00Z'));
    expect(fired.slice(before).map((f) => f.payload)).toEqual([
      { t: '2026-11-21T01:00:00Z' },
      { t: '2026-11-22T01:00:00Z' },
    ]);
  });
});

describe('Slack webhook receiver', () => {
  const post = (body: string) => fetch(`${urls.slack}/services/T/B/secret`, { method: 'POST', body });

  it('answers ok, then 429 with Retry-After for a second message within one second', async () => {
    await clock.runUntil(clock.now + 60_000);
    const first = await post(JSON.stringify({ text: 'hello' }));
    expect([first.status, await first.text()]).toEqual([200, 'ok']);
    const second = await post(JSON.stringify({ text: 'again' }));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    await clock.runUntil(clock.now + 1500);
    expect((await post(JSON.stringify({ text: 'later' }))).status).toBe(200);
    expect(slack.messages.map((m) => m.text)).toEqual(['hello', 'later']);
  });

  it('rejects invalid payloads with Slack plain-text errors, and answers 503 during an outage', async () => {
    await clock.runUntil(clock.now + 60_000);
    const bad = await post('{');
    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_payload']);
    expect(await (await post('{}')).text()).toBe('no_text');
    slackFaults.outage = { status: 503 };
    const down = await post(JSON.stringify({ text: 'x' }));
    expect(down.status).toBe(503);
    delete slackFaults.outage;
    expect(slack.rejections.map((r) => r.reason)).toEqual(['rate-limited', 'invalid', 'invalid', 'outage']);
  });
});
