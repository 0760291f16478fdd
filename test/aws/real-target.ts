import {
  type AppRunnerClient,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
} from '@aws-sdk/client-apprunner';
import { CreateRepositoryCommand, DeleteRepositoryCommand, type ECRClient } from '@aws-sdk/client-ecr';
import {
  DeleteRuleCommand,
  type EventBridgeClient,
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
  type IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { type SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseScheduleDefinitions, toSchedulerJobs } from '../../lib/pause-resume/schedule-config.ts';
import {
  type Alert,
  describeSnapshot,
  type ScheduleSpec,
  type SeenEvent,
  type ServiceSpec,
  type ServiceView,
  type Snapshot,
  type Target,
} from './target.ts';

/** The SDK clients a real run uses, created once by the entry point (fakes in tests). */
export interface RealClients {
  appRunner: AppRunnerClient;
  ecr: ECRClient;
  iam: IAMClient;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  sns: SNSClient;
  scheduler: SchedulerClient;
}

/** Pushes a `good` or `bad` image to `repositoryUri:tag` and returns its digest. */
export type ImagePusher = (repositoryUri: string, tag: string, kind: 'good' | 'bad') => Promise<string>;

/** Options of {@link RealTarget}. */
export interface RealTargetOptions {
  /** `agtest-<6 hex>`: every resource name starts with it. */
  prefix: string;
  account: string;
  region: string;
  /** The deployed guard's SNS alert topic (the suite subscribes a queue of its own to it). */
  alertTopicArn: string;
  /** The deployed guard's pause-resume function (the suite's schedules invoke it). */
  pauseResumeFunctionArn: string;
  /** The `cleanupGraceMinutes` the guard was deployed with. */
  graceMinutes: number;
  /** The port the good image listens on (App Runner's health check probes it). */
  port: string;
  pushImage: ImagePusher;
  /** Seconds between two looks at the account while waiting (default 15). */
  pollSeconds?: number;
  /** Seconds to let a new IAM role propagate before a service uses it (default 10). */
  iamSettleSeconds?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Something the run created, and how to delete it. */
interface Created {
  what: string;
  remove(): Promise<void>;
}

const ECR_ACCESS_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess';
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'RepositoryNotFoundException',
  'NoSuchEntityException',
  'NoSuchEntity',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NotFoundException',
  'NotFound',
]);

/** Runs `remove`, treating "already gone" as done. */
async function gone(remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if (!(error instanceof Error && NOT_FOUND.has(error.name))) throw error;
  }
}

const trustPolicy = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

/**
 * A real AWS account with the guard deployed in it. Everything it creates is named
 * `<prefix>-…` and registered for deletion the moment it exists; {@link cleanup} deletes it all,
 * newest first, and reports what it could not delete. It watches what happens through resources
 * of its own: an SQS queue that two EventBridge rules (App Runner events of its services, the
 * guard's events about them) and a subscription to the guard's alert topic feed.
 */
export class RealTarget implements Target {
  readonly kind = 'real' as const;
  readonly prefix: string;
  readonly graceMinutes: number;
  private readonly created: Created[] = [];
  private readonly services = new Map<string, string>();
  private readonly appRunnerEvents: SeenEvent[] = [];
  private readonly guardEvents: SeenEvent[] = [];
  private readonly alerts: Alert[] = [];
  private watching: Promise<string> | undefined;
  private accessRole: Promise<string> | undefined;
  private schedulerRole: Promise<string> | undefined;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly clients: RealClients,
    private readonly options: RealTargetOptions,
  ) {
    this.prefix = options.prefix;
    this.graceMinutes = options.graceMinutes;
    this.clock = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  name(suffix: string): string {
    return `${this.prefix}-${suffix}`;
  }

  /** Every name passes here before a create call: a name without the prefix is a bug, never a resource. */
  private named(name: string): string {
    if (!name.startsWith(`${this.prefix}-`)) {
      throw new Error(`refusing to create "${name}": every resource of this run is named ${this.prefix}-…`);
    }
    return name;
  }

  private register(what: string, remove: () => Promise<unknown>): void {
    this.created.push({ what, remove: () => gone(remove) });
  }

  now(): Date {
    return new Date(this.clock());
  }

  /** The queue the suite reads App Runner events, guard events and alerts from (created once). */
  private watch(): Promise<string> {
    this.watching ??= (async () => {
      const { account, region, alertTopicArn } = this.options;
      const queueName = this.named(this.name('events'));
      const queueArn = `arn:aws:sqs:${region}:${account}:${queueName}`;
      const rules = {
        apprunner: this.named(this.name('apprunner-events')),
        guard: this.named(this.name('guard-events')),
      };
      const ruleArn = (name: string) => `arn:aws:events:${region}:${account}:rule/${name}`;
      const policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queueArn,
            Condition: { ArnEquals: { 'aws:SourceArn': Object.values(rules).map(ruleArn) } },
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queueArn,
            Condition: { ArnEquals: { 'aws:SourceArn': alertTopicArn } },
          },
        ],
      };
      const queue = await this.clients.sqs.send(
        new CreateQueueCommand({
          QueueName: queueName,
          Attributes: { Policy: JSON.stringify(policy), MessageRetentionPeriod: '86400' },
        }),
      );
      const queueUrl = queue.QueueUrl!;
      this.register(`SQS queue ${queueName}`, () =>
        this.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })),
      );
      const patterns = {
        apprunner: {
          source: ['aws.apprunner'],
          resources: [{ prefix: `arn:aws:apprunner:${region}:${account}:service/${this.prefix}-` }],
        },
        guard: {
          source: ['apprunner-guard'],
          detail: { service: { name: [{ prefix: `${this.prefix}-` }] } },
        },
      };
      for (const key of ['apprunner', 'guard'] as const) {
        const Name = rules[key];
        await this.clients.eventBridge.send(
          new PutRuleCommand({ Name, EventPattern: JSON.stringify(patterns[key]), State: 'ENABLED' }),
        );
        this.register(`EventBridge rule ${Name}`, () =>
          this.clients.eventBridge.send(new DeleteRuleCommand({ Name })),
        );
        await this.clients.eventBridge.send(
          new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 'acceptance-queue', Arn: queueArn }] }),
        );
        this.register(`targets of EventBridge rule ${Name}`, () =>
          this.clients.eventBridge.send(new RemoveTargetsCommand({ Rule: Name, Ids: ['acceptance-queue'] })),
        );
      }
      const sub = await this.clients.sns.send(
        new SubscribeCommand({
          TopicArn: alertTopicArn,
          Protocol: 'sqs',
          Endpoint: queueArn,
          ReturnSubscriptionArn: true,
        }),
      );
      const subscriptionArn = sub.SubscriptionArn!;
      this.register(`subscription of ${queueName} to ${alertTopicArn}`, () =>
        this.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })),
      );
      return queueUrl;
    })();
    return this.watching;
  }

  /** A role named `<prefix>-<suffix>` that `service` may assume; `configure` gives it its permissions. */
  private async createRole(
    suffix: string,
    service: string,
    configure: (roleName: string) => Promise<void>,
  ): Promise<string> {
    const RoleName = this.named(this.name(suffix));
    const role = await this.clients.iam.send(
      new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustPolicy(service) }),
    );
    this.register(`IAM role ${RoleName}`, () => this.clients.iam.send(new DeleteRoleCommand({ RoleName })));
    await configure(RoleName);
    // A new role is not assumable everywhere at once; App Runner and Scheduler reject it meanwhile.
    await this.sleep((this.options.iamSettleSeconds ?? 10) * 1000);
    return role.Role!.Arn!;
  }

  async createRepository(suffix: string): Promise<string> {
    await this.watch();
    const repositoryName = this.named(this.name(suffix));
    const out = await this.clients.ecr.send(
      new CreateRepositoryCommand({ repositoryName, imageTagMutability: 'MUTABLE' }),
    );
    this.register(`ECR repository ${repositoryName}`, () =>
      this.clients.ecr.send(new DeleteRepositoryCommand({ repositoryName, force: true })),
    );
    return out.repository!.repositoryUri!;
  }

  async pushImage(repository: string, tag: string, kind: 'good' | 'bad'): Promise<string> {
    this.named(repository.split('/').pop() ?? '');
    return this.options.pushImage(repository, tag, kind);
  }

  async createService(spec: ServiceSpec): Promise<void> {
    await this.watch();
    const ServiceName = this.named(spec.name);
    this.accessRole ??= this.createRole('ecr-access', 'build.apprunner.amazonaws.com', async (RoleName) => {
      await this.clients.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: ECR_ACCESS_POLICY }));
      this.register(`policy attachment of ${RoleName}`, () =>
        this.clients.iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: ECR_ACCESS_POLICY })),
      );
    });
    const accessRoleArn = await this.accessRole;
    const out = await this.clients.appRunner.send(
      new CreateServiceCommand({
        ServiceName,
        SourceConfiguration: {
          ImageRepository: {
            ImageIdentifier: `${spec.repository}:${spec.tag}`,
            ImageRepositoryType: 'ECR',
            ImageConfiguration: { Port: this.options.port },
          },
          AutoDeploymentsEnabled: spec.autoDeploy,
          AuthenticationConfiguration: { AccessRoleArn: accessRoleArn },
        },
        // The smallest size App Runner offers: the run is billed per vCPU- and GB-hour while active.
        InstanceConfiguration: { Cpu: '0.25 vCPU', Memory: '0.5 GB' },
        Tags: [
          { Key: 'apprunner-guard:acceptance', Value: this.prefix },
          ...Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        ],
      }),
    );
    const arn = out.Service!.ServiceArn!;
    this.services.set(spec.name, arn);
    this.register(`App Runner service ${ServiceName}`, () =>
      this.clients.appRunner.send(new DeleteServiceCommand({ ServiceArn: arn })),
    );
  }

  async createSchedule(spec: ScheduleSpec): Promise<void> {
    const [definition] = parseScheduleDefinitions(
      {
        schedules: {
          [this.named(spec.name)]: { timezone: spec.timezone, pause: spec.pause, resume: spec.resume },
        },
      },
      'acceptance schedule',
    );
    this.schedulerRole ??= this.createRole('scheduler', 'scheduler.amazonaws.com', async (RoleName) => {
      await this.clients.iam.send(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName: 'invoke-pause-resume',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'lambda:InvokeFunction',
                Resource: this.options.pauseResumeFunctionArn,
              },
            ],
          }),
        }),
      );
      this.register(`inline policy of ${RoleName}`, () =>
        this.clients.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'invoke-pause-resume' })),
      );
    });
    const roleArn = await this.schedulerRole;
    // The same jobs the stack deploys from infra/schedules.yml, so the function gets the payload it gets in production.
    for (const job of toSchedulerJobs([definition!])) {
      const Name = this.named(job.name);
      await this.clients.scheduler.send(
        new CreateScheduleCommand({
          Name,
          GroupName: 'default',
          ScheduleExpression: job.expression,
          ScheduleExpressionTimezone: job.timezone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: this.options.pauseResumeFunctionArn,
            RoleArn: roleArn,
            Input: JSON.stringify(job.input),
          },
        }),
      );
      this.register(`Scheduler schedule ${Name}`, () =>
        this.clients.scheduler.send(new DeleteScheduleCommand({ Name, GroupName: 'default' })),
      );
    }
  }

  /** Drains the queue into the events and alerts seen so far. */
  private async drain(): Promise<void> {
    const QueueUrl = await this.watch();
    for (;;) {
      const out = await this.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) return;
      for (const m of messages) this.take(JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
      await this.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }

  private take(body: Record<string, unknown>): void {
    if (body.Type === 'Notification') {
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(
        (body.MessageAttributes ?? {}) as Record<string, { Value?: string }>,
      )) {
        attributes[k] = String(v.Value ?? '');
      }
      this.alerts.push({
        subject: String(body.Subject ?? ''),
        message: String(body.Message ?? ''),
        attributes,
      });
    } else if (body.source === 'aws.apprunner') this.appRunnerEvents.push(body as unknown as SeenEvent);
    else if (body.source === 'apprunner-guard') this.guardEvents.push(body as unknown as SeenEvent);
  }

  private async statusOf(arn: string): Promise<string> {
    try {
      const out = await this.clients.appRunner.send(new DescribeServiceCommand({ ServiceArn: arn }));
      return out.Service?.Status ?? 'UNKNOWN';
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return 'DELETED';
      throw error;
    }
  }

  private async snapshot(): Promise<Snapshot> {
    await this.drain();
    const statuses = new Map<string, string>();
    for (const [name, arn] of this.services) statuses.set(name, await this.statusOf(arn));
    return {
      status: (name) => statuses.get(name),
      appRunnerEvents: [...this.appRunnerEvents],
      guardEvents: [...this.guardEvents],
      alerts: [...this.alerts],
    };
  }

  async waitFor(
    description: string,
    condition: (s: Snapshot) => boolean,
    timeoutMs: number,
  ): Promise<Snapshot> {
    const deadline = this.clock() + timeoutMs;
    for (;;) {
      const s = await this.snapshot();
      if (condition(s)) return s;
      if (this.clock() >= deadline) {
        throw new Error(
          `timed out after ${Math.round(timeoutMs / 60_000)} min waiting for ${description} (${describeSnapshot(
            s,
            [...this.services.keys()],
          )})`,
        );
      }
      await this.sleep((this.options.pollSeconds ?? 15) * 1000);
    }
  }

  async describeService(name: string): Promise<ServiceView | undefined> {
    const arn = this.services.get(name);
    if (!arn) return undefined;
    try {
      const out = await this.clients.appRunner.send(new DescribeServiceCommand({ ServiceArn: arn }));
      return {
        name,
        arn,
        status: out.Service?.Status ?? 'UNKNOWN',
        imageIdentifier: out.Service?.SourceConfiguration?.ImageRepository?.ImageIdentifier ?? '',
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  recordedEvents(): SeenEvent[] {
    return [...this.appRunnerEvents];
  }

  /** Deletes everything created, newest first; every deletion is tried even when one fails. */
  async cleanup(): Promise<string[]> {
    const leftovers: string[] = [];
    for (const c of this.created.splice(0).reverse()) {
      try {
        await c.remove();
      } catch (error) {
        leftovers.push(
          `${c.what} (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`,
        );
      }
    }
    return leftovers;
  }
}
