import {
  AppRunnerClient,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
} from '@aws-sdk/client-apprunner';
import { CreateRepositoryCommand, DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Flow } from './flows.ts';
import { RealTarget } from './real-target.ts';
import { runFlows } from './runner.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const PREFIX = 'agtest-0a1b2c';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:apprunner-guard-dev-AlertTopic-X`;
const FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:apprunner-guard-dev-pause-resume`;
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${PREFIX}-events`;

const mocks = {
  appRunner: mockClient(AppRunnerClient),
  ecr: mockClient(ECRClient),
  iam: mockClient(IAMClient),
  sqs: mockClient(SQSClient),
  eventBridge: mockClient(EventBridgeClient),
  sns: mockClient(SNSClient),
  scheduler: mockClient(SchedulerClient),
};

function notFound(name: string): Error {
  return Object.assign(new Error(`${name}: gone`), { name });
}

beforeEach(() => {
  mocks.sqs.on(CreateQueueCommand).resolves({ QueueUrl: QUEUE_URL });
  mocks.sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
  mocks.sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC}:sub-1` });
  mocks.ecr.on(CreateRepositoryCommand).callsFake((input: { repositoryName: string }) => ({
    repository: { repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${input.repositoryName}` },
  }));
  mocks.iam.on(CreateRoleCommand).callsFake((input: { RoleName: string }) => ({
    Role: { Arn: `arn:aws:iam::${ACCOUNT}:role/${input.RoleName}` },
  }));
  mocks.appRunner.on(CreateServiceCommand).callsFake((input: { ServiceName: string }) => ({
    Service: {
      ServiceArn: `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/${input.ServiceName}/0123456789abcdef0123456789abcdef`,
    },
  }));
  mocks.appRunner
    .on(DescribeServiceCommand)
    .resolves({ Service: { Status: 'OPERATION_IN_PROGRESS' } as never });
});
afterEach(() => {
  for (const m of Object.values(mocks)) m.reset();
});

function target(clock = { t: Date.parse('2026-11-30T10:00:00Z') }) {
  return new RealTarget(
    {
      appRunner: new AppRunnerClient({}),
      ecr: new ECRClient({}),
      iam: new IAMClient({}),
      sqs: new SQSClient({}),
      eventBridge: new EventBridgeClient({}),
      sns: new SNSClient({}),
      scheduler: new SchedulerClient({}),
    },
    {
      prefix: PREFIX,
      account: ACCOUNT,
      region: REGION,
      alertTopicArn: TOPIC,
      pauseResumeFunctionArn: FUNCTION,
      graceMinutes: 5,
      port: '8000',
      pushImage: async () => `sha256:${'a'.repeat(64)}`,
      now: () => clock.t,
      // Waiting moves the fake clock instead of sleeping.
      sleep: async (ms) => {
        clock.t += ms;
      },
    },
  );
}

/** Everything a flow can create, through the target. */
async function createEverything(t: RealTarget) {
  const repository = await t.createRepository('app');
  await t.pushImage(repository, 'latest', 'good');
  await t.createService({
    name: t.name('app'),
    repository,
    tag: 'latest',
    autoDeploy: true,
    tags: { 'apprunner-guard:schedule': t.name('hours') },
  });
  await t.createSchedule({
    name: t.name('hours'),
    timezone: 'UTC',
    pause: 'cron(0 20 * * ? *)',
    resume: 'cron(0 7 * * ? *)',
  });
}

/** The name each create call gave its resource. */
function createdNames(): string[] {
  const input = <T>(calls: Array<{ args: [{ input: T }] }>) => calls.map((c) => c.args[0].input);
  return [
    ...input(mocks.sqs.commandCalls(CreateQueueCommand)).map((i) => i.QueueName!),
    ...input(mocks.eventBridge.commandCalls(PutRuleCommand)).map((i) => i.Name!),
    ...input(mocks.ecr.commandCalls(CreateRepositoryCommand)).map((i) => i.repositoryName!),
    ...input(mocks.iam.commandCalls(CreateRoleCommand)).map((i) => i.RoleName!),
    ...input(mocks.appRunner.commandCalls(CreateServiceCommand)).map((i) => i.ServiceName!),
    ...input(mocks.scheduler.commandCalls(CreateScheduleCommand)).map((i) => i.Name!),
  ];
}

describe('the real-AWS target (against aws-sdk-client-mock)', () => {
  it('names every resource it creates with the run prefix, and its rules only match its own services', async () => {
    const t = target();
    await createEverything(t);
    const names = createdNames();
    expect(names).toHaveLength(1 + 2 + 1 + 2 + 1 + 2);
    for (const n of names) expect(n.startsWith(`${PREFIX}-`), n).toBe(true);

    const patterns = mocks.eventBridge
      .commandCalls(PutRuleCommand)
      .map((c) => JSON.parse(c.args[0].input.EventPattern!));
    expect(patterns).toContainEqual({
      source: ['aws.apprunner'],
      resources: [{ prefix: `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/${PREFIX}-` }],
    });
    expect(patterns).toContainEqual({
      source: ['apprunner-guard'],
      detail: { service: { name: [{ prefix: `${PREFIX}-` }] } },
    });
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-events`;
    expect(
      mocks.eventBridge.commandCalls(PutTargetsCommand).map((c) => c.args[0].input.Targets?.[0]?.Arn),
    ).toEqual([queueArn, queueArn]);
    // The smallest instance, and the schedules invoke the deployed function with the stack's own payload.
    expect(
      mocks.appRunner.commandCalls(CreateServiceCommand)[0]!.args[0].input.InstanceConfiguration,
    ).toEqual({
      Cpu: '0.25 vCPU',
      Memory: '0.5 GB',
    });
    const schedule = mocks.scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(schedule.Target?.Arn).toBe(FUNCTION);
    expect(JSON.parse(schedule.Target!.Input!)).toMatchObject({
      action: 'pause',
      schedule: `${PREFIX}-hours`,
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('refuses to create a service whose name lacks the prefix, and creates nothing for it', async () => {
    const t = target();
    const repository = await t.createRepository('app');
    await expect(
      t.createService({ name: 'payments-api', repository, tag: 'latest', autoDeploy: false }),
    ).rejects.toThrow(/refusing to create "payments-api"/);
    expect(mocks.appRunner.commandCalls(CreateServiceCommand)).toEqual([]);
  });

  it('cleans up in finally when the flow throws: every resource deleted, newest first, and the flow reported failed', async () => {
    const lines: string[] = [];
    const throwing: Flow = {
      name: 'throws-midway',
      description: 'creates everything, then fails',
      async run(t) {
        await createEverything(t as RealTarget);
        throw new Error('App Runner said no');
      },
    };
    const [result] = await runFlows([throwing], {
      targetFor: () => target(),
      recordDir: '/nonexistent/never-written',
      print: (l) => lines.push(l),
    });
    expect(result).toMatchObject({ passed: false, error: 'App Runner said no', leftovers: [] });
    expect(lines[0]).toMatch(/^FAIL {2}throws-midway .*\n {6}App Runner said no$/);

    expect(mocks.scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input.Name)).toEqual([
      `${PREFIX}-hours-resume`,
      `${PREFIX}-hours-pause`,
    ]);
    expect(mocks.appRunner.commandCalls(DeleteServiceCommand)).toHaveLength(1);
    expect(mocks.ecr.commandCalls(DeleteRepositoryCommand)[0]!.args[0].input).toEqual({
      repositoryName: `${PREFIX}-app`,
      force: true,
    });
    expect(mocks.iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(DeleteRoleCommand).map((c) => c.args[0].input.RoleName)).toEqual([
      `${PREFIX}-scheduler`,
      `${PREFIX}-ecr-access`,
    ]);
    expect(mocks.sns.commandCalls(UnsubscribeCommand)).toHaveLength(1);
    expect(mocks.eventBridge.commandCalls(RemoveTargetsCommand)).toHaveLength(2);
    expect(mocks.eventBridge.commandCalls(DeleteRuleCommand)).toHaveLength(2);
    expect(mocks.sqs.commandCalls(DeleteQueueCommand)).toHaveLength(1);
    // A role's permissions are removed before the role (IAM refuses to delete a role that has any).
    const iamDeletes = mocks.iam
      .calls()
      .map((c) => (c.args[0] as object).constructor.name)
      .filter((n) => /^(Delete|Detach)/.test(n));
    expect(iamDeletes).toEqual([
      'DeleteRolePolicyCommand',
      'DeleteRoleCommand',
      'DetachRolePolicyCommand',
      'DeleteRoleCommand',
    ]);
    expect(mocks.iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(1);
    expect(mocks.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });

  it('keeps deleting when one deletion fails, treats "already gone" as deleted, and names what is left behind', async () => {
    mocks.ecr
      .on(DeleteRepositoryCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    mocks.appRunner.on(DeleteServiceCommand).rejects(notFound('ResourceNotFoundException'));
    const t = target();
    await createEverything(t);
    const leftovers = await t.cleanup();
    expect(leftovers).toEqual([`ECR repository ${PREFIX}-app (AccessDeniedException: denied)`]);
    expect(mocks.sqs.commandCalls(DeleteQueueCommand)).toHaveLength(1);
    expect(await t.cleanup()).toEqual([]);
  });

  it('reads App Runner events, guard events and SNS alerts from its queue, and waits on DescribeService', async () => {
    const arnOf = (name: string) =>
      `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/${name}/0123456789abcdef0123456789abcdef`;
    const service = `${PREFIX}-app`;
    mocks.sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            ReceiptHandle: 'r1',
            Body: JSON.stringify({
              id: 'e1',
              source: 'aws.apprunner',
              'detail-type': 'AppRunner Service Operation Status Change',
              resources: [arnOf(service)],
              detail: { operationStatus: 'DeploymentFailed', serviceName: service },
            }),
          },
          {
            ReceiptHandle: 'r2',
            Body: JSON.stringify({
              Type: 'Notification',
              TopicArn: TOPIC,
              Subject: `[INFO] Rollback Completed: ${service}`,
              Message: '{}',
              MessageAttributes: { severity: { Type: 'String', Value: 'info' } },
            }),
          },
          {
            ReceiptHandle: 'r3',
            Body: JSON.stringify({
              id: 'g1',
              source: 'apprunner-guard',
              'detail-type': 'Rollback Completed',
              detail: { outcome: 'acted', service: { name: service } },
            }),
          },
        ],
      })
      .resolves({ Messages: [] });
    mocks.appRunner
      .on(DescribeServiceCommand)
      .resolvesOnce({ Service: { Status: 'OPERATION_IN_PROGRESS' } as never })
      .resolves({ Service: { Status: 'RUNNING' } as never });
    const clock = { t: Date.parse('2026-11-30T10:00:00Z') };
    const t = target(clock);
    const repository = await t.createRepository('app');
    await t.createService({ name: service, repository, tag: 'latest', autoDeploy: true });
    const s = await t.waitFor('running', (s) => s.status(service) === 'RUNNING', 60_000);
    expect(clock.t - Date.parse('2026-11-30T10:00:00Z')).toBe(10_000 + 15_000);
    expect(s.appRunnerEvents.map((e) => e.id)).toEqual(['e1']);
    expect(s.guardEvents.map((e) => e.id)).toEqual(['g1']);
    expect(s.alerts).toEqual([
      { subject: `[INFO] Rollback Completed: ${service}`, message: '{}', attributes: { severity: 'info' } },
    ]);
    expect(t.recordedEvents().map((e) => e.id)).toEqual(['e1']);
    expect(mocks.sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input.Entries).toHaveLength(3);

    await expect(t.waitFor('paused', (s) => s.status(service) === 'PAUSED', 30_000)).rejects.toThrow(
      /timed out after 1 min waiting for paused \(statuses: agtest-0a1b2c-app=RUNNING/,
    );
  });
});
