import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  InternalServiceErrorException,
  InvalidRequestException,
  InvalidStateException,
  ListOperationsCommand,
  ListTagsForResourceCommand,
  PauseServiceCommand,
  paginateListServices,
  ResourceNotFoundException,
  ResumeServiceCommand,
  ServiceQuotaExceededException,
  StartDeploymentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-apprunner';
import { describe, expect, it } from 'vitest';
import { parseAppRunnerEvent } from '../../lib/events/app-runner.ts';
import { parseTagChange } from '../../lib/events/tag-change.ts';
import { digestOf } from '../../sandbox/images.ts';
import { hubTargets } from '../support/env.ts';
import { ACCOUNT, REGION, type startAppRunner, useAppRunner } from './support.ts';

type Env = Awaited<ReturnType<typeof startAppRunner>>;
const start = useAppRunner();

const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments:latest`;

async function setup(options: Parameters<typeof startAppRunner>[0] = {}) {
  return start({ ...options, maxAttempts: 3 });
}

/** Advances the simulated clock by `minutes`, completing due operations. */
const advance = (e: Env, minutes: number) => e.clock.runUntil(e.clock.now + minutes * 60_000);

const statuses = (e: Env) =>
  e.events.map((x) => (x.detail.Status ?? `${x.detail.PreviousStatus}→${x.detail.CurrentStatus}`) as string);

describe('App Runner simulator through @aws-sdk/client-apprunner', () => {
  it('creates a service through OPERATION_IN_PROGRESS to RUNNING, emitting the documented events', async () => {
    const e = await setup();
    const out = await e.client.send(
      new CreateServiceCommand({
        ServiceName: 'payments-api',
        SourceConfiguration: { ImageRepository: { ImageIdentifier: IMAGE, ImageRepositoryType: 'ECR' } },
        Tags: [{ Key: 'team', Value: 'payments' }],
      }),
    );
    expect(out.Service?.Status).toBe('OPERATION_IN_PROGRESS');
    expect(out.OperationId).toMatch(/^[0-9a-f-]{36}$/);
    const arn = out.Service!.ServiceArn!;
    await advance(e, 5);
    const described = await e.client.send(new DescribeServiceCommand({ ServiceArn: arn }));
    expect(described.Service?.Status).toBe('RUNNING');
    expect(described.Service?.SourceConfiguration?.ImageRepository?.ImageIdentifier).toBe(IMAGE);
    expect(described.Service?.CreatedAt).toBeInstanceOf(Date);
    expect(statuses(e)).toEqual([
      'CreateServiceStarted',
      'CreateServiceCompletedSuccessfully',
      'OPERATION_IN_PROGRESS→RUNNING',
    ]);
    // Every emitted event is one the guard's parser accepts.
    for (const event of e.events)
      expect(() => parseAppRunnerEvent(event, { targets: hubTargets(ACCOUNT, REGION) })).not.toThrow();
  });

  it('creates straight into CREATE_FAILED when the image is bad', async () => {
    const e = await setup();
    e.registry.push('batch:nightly', { digest: 'broken', bad: true, at: e.clock.now });
    const out = await e.client.send(
      new CreateServiceCommand({
        ServiceName: 'batch-worker',
        SourceConfiguration: {
          ImageRepository: {
            ImageIdentifier: IMAGE.replace('payments:latest', 'batch:nightly'),
            ImageRepositoryType: 'ECR',
          },
        },
      }),
    );
    await advance(e, 5);
    const d = await e.client.send(new DescribeServiceCommand({ ServiceArn: out.Service!.ServiceArn! }));
    expect(d.Service?.Status).toBe('CREATE_FAILED');
    expect(statuses(e)).toContain('CreateServiceFailed');
    expect(statuses(e)).toContain('OPERATION_IN_PROGRESS→CREATE_FAILED');
    const ops = await e.client.send(new ListOperationsCommand({ ServiceArn: out.Service!.ServiceArn! }));
    expect(ops.OperationSummaryList?.[0]).toMatchObject({ Type: 'CREATE_SERVICE', Status: 'FAILED' });
  });

  it('fails a deployment of a bad image, back to RUNNING on the previous digest with the tag still configured', async () => {
    const e = await setup();
    const s = e.sim.seed({ name: 'payments-api', image: IMAGE });
    e.registry.push('payments:latest', { digest: 'bad-v2', bad: true, at: e.clock.now });
    const { OperationId } = await e.client.send(new StartDeploymentCommand({ ServiceArn: s.arn }));
    // Mid-deployment every mutating call is refused with the SDK's own exception class.
    const busy = await e.client.send(new PauseServiceCommand({ ServiceArn: s.arn })).catch((x: unknown) => x);
    expect(busy).toBeInstanceOf(InvalidStateException);
    await advance(e, 4);
    expect(s.status).toBe('RUNNING');
    expect(s.running).toBe(digestOf('good-v1'));
    const d = await e.client.send(new DescribeServiceCommand({ ServiceArn: s.arn }));
    expect(d.Service?.SourceConfiguration?.ImageRepository?.ImageIdentifier).toBe(IMAGE);
    const failed = e.events.find((x) => x.detail.Status === 'DeploymentFailed');
    expect(failed?.detail.Message).toContain(OperationId);
    const ops = await e.client.send(new ListOperationsCommand({ ServiceArn: s.arn }));
    expect(ops.OperationSummaryList?.[0]).toMatchObject({
      Id: OperationId,
      Type: 'START_DEPLOYMENT',
      Status: 'ROLLBACK_SUCCEEDED',
    });
  });

  it('pins by digest with UpdateService, and the pin survives a later push to the tag', async () => {
    const e = await setup();
    const s = e.sim.seed({ name: 'payments-api', image: IMAGE, autoDeploy: true });
    const pinned = `${IMAGE.replace(':latest', '')}@${digestOf('good-v1')}`;
    await e.client.send(
      new UpdateServiceCommand({
        ServiceArn: s.arn,
        SourceConfiguration: { ImageRepository: { ImageIdentifier: pinned, ImageRepositoryType: 'ECR' } },
      }),
    );
    await advance(e, 4);
    expect(statuses(e)).toContain('UpdateServiceCompletedSuccessfully');
    e.registry.push('payments:latest', { digest: 'bad-v2', bad: true, at: e.clock.now });
    e.sim.onImagePushed(IMAGE);
    await advance(e, 4);
    expect(statuses(e)).not.toContain('DeploymentStarted');
    expect(s.running).toBe(digestOf('good-v1'));
  });

  it('refuses UpdateService and StartDeployment on a paused service; resume redeploys the pre-pause version', async () => {
    const e = await setup();
    const s = e.sim.seed({ name: 'payments-api', image: IMAGE });
    await e.client.send(new PauseServiceCommand({ ServiceArn: s.arn }));
    await advance(e, 2);
    expect(s.status).toBe('PAUSED');
    for (const command of [
      new StartDeploymentCommand({ ServiceArn: s.arn }),
      new UpdateServiceCommand({
        ServiceArn: s.arn,
        SourceConfiguration: { ImageRepository: { ImageIdentifier: IMAGE, ImageRepositoryType: 'ECR' } },
      }),
      new PauseServiceCommand({ ServiceArn: s.arn }),
    ]) {
      await expect(e.client.send(command as never)).rejects.toBeInstanceOf(InvalidStateException);
    }
    // Tagging a paused service is allowed.
    await e.client.send(new TagResourceCommand({ ResourceArn: s.arn, Tags: [{ Key: 'k', Value: 'v' }] }));
    e.registry.push('payments:latest', { digest: 'newer-v2', at: e.clock.now });
    await e.client.send(new ResumeServiceCommand({ ServiceArn: s.arn }));
    await advance(e, 3);
    expect(s.status).toBe('RUNNING');
    expect(s.running).toBe(digestOf('good-v1'));
    await expect(e.client.send(new ResumeServiceCommand({ ServiceArn: s.arn }))).rejects.toBeInstanceOf(
      InvalidStateException,
    );
  });

  it('fails a deletion into DELETE_FAILED, then deletes on retry; the service is then not found', async () => {
    const e = await setup();
    const s = e.sim.seed({
      name: 'batch-worker',
      image: IMAGE,
      status: 'CREATE_FAILED',
      failNext: { delete: 1 },
    });
    await e.client.send(new DeleteServiceCommand({ ServiceArn: s.arn }));
    await advance(e, 2);
    expect(s.status).toBe('DELETE_FAILED');
    expect(statuses(e)).toEqual([
      'DeleteServiceStarted',
      'CREATE_FAILED→OPERATION_IN_PROGRESS',
      'DeleteServiceFailed',
      'OPERATION_IN_PROGRESS→DELETE_FAILED',
    ]);
    await e.client.send(new DeleteServiceCommand({ ServiceArn: s.arn }));
    await advance(e, 2);
    await expect(e.client.send(new DescribeServiceCommand({ ServiceArn: s.arn }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(statuses(e).at(-1)).toBe('OPERATION_IN_PROGRESS→DELETED');
  });

  it('lists operations newest first and paginates services and operations with NextToken', async () => {
    const e = await setup();
    for (let i = 0; i < 25; i++) e.sim.seed({ name: `svc-${String(i).padStart(2, '0')}`, image: IMAGE });
    const names: string[] = [];
    for await (const page of paginateListServices({ client: e.client, pageSize: 10 }, {})) {
      expect(page.ServiceSummaryList!.length).toBeLessThanOrEqual(10);
      for (const s of page.ServiceSummaryList ?? []) names.push(s.ServiceName!);
    }
    expect(names).toHaveLength(25);
    const arn = e.sim.byName('svc-00')!.arn;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await e.client.send(new StartDeploymentCommand({ ServiceArn: arn }))).OperationId!);
      await advance(e, 4);
    }
    const first = await e.client.send(new ListOperationsCommand({ ServiceArn: arn, MaxResults: 2 }));
    expect(first.OperationSummaryList?.map((o) => o.Id)).toEqual([ids[2], ids[1]]);
    const second = await e.client.send(
      new ListOperationsCommand({ ServiceArn: arn, MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.OperationSummaryList?.map((o) => o.Id)).toEqual([ids[0]]);
    expect(second.NextToken).toBeUndefined();
    await expect(
      e.client.send(new ListOperationsCommand({ ServiceArn: arn, NextToken: 'garbage' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
  });

  it('answers modelled errors the SDK turns into its own exception classes', async () => {
    const e = await setup({ settings: { serviceQuota: 1 } });
    const missing = `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/nobody-here/${'0'.repeat(32)}`;
    await expect(e.client.send(new DescribeServiceCommand({ ServiceArn: missing }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      e.client.send(new DescribeServiceCommand({ ServiceArn: 'not-an-arn' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    e.sim.seed({ name: 'payments-api', image: IMAGE });
    const quota = await e.client
      .send(
        new CreateServiceCommand({
          ServiceName: 'one-more',
          SourceConfiguration: { ImageRepository: { ImageIdentifier: IMAGE, ImageRepositoryType: 'ECR' } },
        }),
      )
      .catch((x: unknown) => x);
    expect(quota).toBeInstanceOf(ServiceQuotaExceededException);
    expect((quota as Error).message).toContain('maximum number of services');
  });

  it('tags, untags and lists tags; refuses aws: keys', async () => {
    const e = await setup();
    const s = e.sim.seed({ name: 'payments-api', image: IMAGE, tags: { team: 'payments' } });
    await e.client.send(
      new TagResourceCommand({
        ResourceArn: s.arn,
        Tags: [{ Key: 'apprunner-guard:schedule', Value: 'nightly' }],
      }),
    );
    await e.client.send(new UntagResourceCommand({ ResourceArn: s.arn, TagKeys: ['team'] }));
    const tags = await e.client.send(new ListTagsForResourceCommand({ ResourceArn: s.arn }));
    expect(tags.Tags).toEqual([{ Key: 'apprunner-guard:schedule', Value: 'nightly' }]);
    await expect(
      e.client.send(
        new TagResourceCommand({ ResourceArn: s.arn, Tags: [{ Key: 'aws:reserved', Value: 'x' }] }),
      ),
    ).rejects.toBeInstanceOf(InvalidRequestException);
  });

  it('emits Tag Change on Resource for a change (not for a no-op), the tag change parser reads it; none when tagEvents is off', async () => {
    const e = await setup();
    const s = e.sim.seed({ name: 'payments-api', image: IMAGE, tags: { team: 'payments' } });
    const tag = (Key: string, Value: string) =>
      e.client.send(new TagResourceCommand({ ResourceArn: s.arn, Tags: [{ Key, Value }] }));
    await tag('apprunner-guard:bake-minutes', '30');
    await tag('team', 'payments');
    await e.client.send(
      new UntagResourceCommand({ ResourceArn: s.arn, TagKeys: ['apprunner-guard:bake-minutes', 'absent'] }),
    );
    const changes = e.events.filter((x) => x['detail-type'] === 'Tag Change on Resource');
    expect(changes.map((x) => x.detail['changed-tag-keys'])).toEqual([
      ['apprunner-guard:bake-minutes'],
      ['apprunner-guard:bake-minutes'],
    ]);
    expect(changes[0]).toMatchObject({
      source: 'aws.tag',
      resources: [s.arn],
      detail: {
        service: 'apprunner',
        'resource-type': 'service',
        version: 1,
        tags: { team: 'payments', 'apprunner-guard:bake-minutes': '30' },
      },
    });
    expect(changes[1]!.detail).toMatchObject({ version: 2, tags: { team: 'payments' } });
    expect(parseTagChange(changes[1], { targets: hubTargets() })).toMatchObject({ service: { arn: s.arn } });

    const quiet = await setup({ settings: { tagEvents: false } });
    const q = quiet.sim.seed({ name: 'orders-api', image: IMAGE });
    await quiet.client.send(
      new TagResourceCommand({
        ResourceArn: q.arn,
        Tags: [{ Key: 'apprunner-guard:bake-minutes', Value: '30' }],
      }),
    );
    expect(quiet.events.filter((x) => x.source === 'aws.tag')).toEqual([]);
  });

  it('emits camelCase details when the scenario asks, which the parser normalizes the same way', async () => {
    const e = await setup({ settings: { spelling: 'camelCase' } });
    const s = e.sim.seed({ name: 'payments-api', image: IMAGE });
    await e.client.send(new StartDeploymentCommand({ ServiceArn: s.arn }));
    await advance(e, 4);
    expect(e.events[0]!.detail).toHaveProperty('operationStatus', 'DeploymentStarted');
    expect(e.events[1]!.detail).toHaveProperty('currentServiceStatus', 'OPERATION_IN_PROGRESS');
    const parsed = parseAppRunnerEvent(e.events[2], { targets: hubTargets(ACCOUNT, REGION) });
    expect(parsed).toMatchObject({
      kind: 'operation',
      status: 'DeploymentCompletedSuccessfully',
      spelling: 'camelCase',
    });
  });

  it('injects throttling the SDK retries, and 5xx that surface as InternalServiceErrorException', async () => {
    const e = await setup({
      faults: {
        api: {
          apprunner: {
            throttle: { times: 1, operations: ['DescribeService'] },
            serverError: { operations: ['ListServices'] },
          },
        },
        slack: {},
        delivery: {},
      },
    });
    const s = e.sim.seed({ name: 'payments-api', image: IMAGE });
    const d = await e.client.send(new DescribeServiceCommand({ ServiceArn: s.arn }));
    expect(d.Service?.Status).toBe('RUNNING');
    expect(e.calls.map((c) => [c.operation, c.status, c.fault])).toEqual([
      ['DescribeService', 400, 'throttle'],
      ['DescribeService', 200, undefined],
    ]);
    const err = await e.client
      .send(new (await import('@aws-sdk/client-apprunner')).ListServicesCommand({}))
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InternalServiceErrorException);
    expect(e.calls.filter((c) => c.operation === 'ListServices')).toHaveLength(3);
  });
});
