/**
 * A small stateful App Runner + ECR + EventBridge fake on aws-sdk-client-mock, shared by the
 * rollback and record-release handler tests. DynamoDB is real (dynalite).
 */
import {
  AppRunnerClient,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListTagsForResourceCommand,
  type OperationSummary,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-apprunner';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { loadFixture } from '../../support/fixtures.ts';
import { sdkError } from '../../support/sdk-errors.ts';
import { D, REPO } from '../release/views.ts';

export { D, REPO } from '../release/views.ts';
export const GOOD = D('a');
export const BAD = D('b');
export const DIGEST_PIN = /^111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com\/payments@sha256:[0-9a-f]{64}$/;

export interface FakeService {
  name: string;
  id: string;
  arn: string;
  status: string;
  image?: string;
  repositoryType?: 'ECR' | 'ECR_PUBLIC';
  code?: boolean;
  tags: Record<string, string>;
  operations: OperationSummary[];
  deleted?: boolean;
}

let counter = 0;

/** A fresh service (own ledger partition) configured with `repo:latest`. */
export function fakeService(over: Partial<FakeService> = {}): FakeService {
  counter++;
  const name = `svc-${process.pid}-${counter}`;
  const id = `${counter.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
  return {
    name,
    id,
    arn: `arn:aws:apprunner:us-east-1:111122223333:service/${name}/${id}`,
    status: 'RUNNING',
    image: `${REPO}:latest`,
    repositoryType: 'ECR',
    tags: {},
    operations: [],
    ...over,
  };
}

/** An App Runner event fixture rewritten for `svc`, with a fresh id and the given time. */
export function eventFor(
  fixture: string,
  svc: FakeService,
  over: { time?: string; id?: string } = {},
): Record<string, unknown> {
  const event = loadFixture<Record<string, unknown> & { detail: Record<string, unknown> }>(fixture);
  event.id = over.id ?? crypto.randomUUID();
  if (over.time) event.time = over.time;
  event.resources = [svc.arn];
  for (const key of Object.keys(event.detail)) {
    if (key === 'ServiceName' || key === 'serviceName') event.detail[key] = svc.name;
    if (key === 'ServiceId' || key === 'serviceId') event.detail[key] = svc.id;
  }
  return event;
}

/** Installs the mocks; returns the state they read and what they recorded. */
export function installFakes() {
  const appRunner = mockClient(AppRunnerClient);
  const ecr = mockClient(ECRClient);
  const events = mockClient(EventBridgeClient);
  const state = {
    services: new Map<string, FakeService>(),
    /** `repo:tag` → digest (and optional push time). */
    tags: new Map<string, { digest: string; pushedAt?: Date }>(),
    updates: [] as { arn: string; image: string }[],
    /** `AutoDeploymentsEnabled` of the last UpdateService per service, as sent. */
    autoDeployments: new Map<string, boolean | undefined>(),
    published: [] as { detailType: string; detail: Record<string, unknown> }[],
    updateError: undefined as Error | undefined,
  };

  const toService = (s: FakeService): Service =>
    ({
      ServiceArn: s.arn,
      ServiceName: s.name,
      ServiceId: s.id,
      ServiceUrl: 'x.awsapprunner.com',
      Status: s.status,
      CreatedAt: new Date('2026-01-01T00:00:00Z'),
      UpdatedAt: new Date('2026-11-20T00:00:00Z'),
      InstanceConfiguration: {},
      AutoScalingConfigurationSummary: {},
      NetworkConfiguration: {},
      SourceConfiguration: s.code
        ? {
            CodeRepository: {
              RepositoryUrl: 'https://github.com/acme/payments',
              SourceCodeVersion: { Type: 'BRANCH', Value: 'main' },
            },
            AutoDeploymentsEnabled: true,
          }
        : {
            ImageRepository: {
              ImageIdentifier: s.image,
              ImageRepositoryType: s.repositoryType ?? 'ECR',
              ImageConfiguration: { Port: '8080' },
            },
            AutoDeploymentsEnabled: false,
            AuthenticationConfiguration: { AccessRoleArn: 'arn:aws:iam::111122223333:role/ecr-access' },
          },
    }) as Service;

  const gone = () => sdkError('ResourceNotFoundException', 'Service not found');

  appRunner.on(DescribeServiceCommand).callsFake((input: { ServiceArn: string }) => {
    const s = state.services.get(input.ServiceArn);
    if (!s || s.deleted) throw gone();
    return { Service: toService(s) };
  });
  appRunner.on(ListTagsForResourceCommand).callsFake((input: { ResourceArn: string }) => {
    const s = state.services.get(input.ResourceArn);
    if (!s) throw gone();
    return { Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })) };
  });
  appRunner.on(ListOperationsCommand).callsFake((input: { ServiceArn: string }) => ({
    OperationSummaryList: state.services.get(input.ServiceArn)?.operations ?? [],
  }));
  appRunner.on(UpdateServiceCommand).callsFake((input) => {
    if (state.updateError) throw state.updateError;
    const s = state.services.get(input.ServiceArn)!;
    const image = input.SourceConfiguration?.ImageRepository?.ImageIdentifier as string;
    state.updates.push({ arn: input.ServiceArn, image });
    state.autoDeployments.set(input.ServiceArn!, input.SourceConfiguration?.AutoDeploymentsEnabled);
    s.image = image;
    return { Service: toService(s), OperationId: `op-${state.updates.length}` };
  });
  ecr.on(DescribeImagesCommand).callsFake((input) => {
    const key = `111122223333.dkr.ecr.us-east-1.amazonaws.com/${input.repositoryName}:${input.imageIds?.[0]?.imageTag}`;
    const found = state.tags.get(key);
    if (!found) throw Object.assign(new Error('no such image'), { name: 'ImageNotFoundException' });
    return {
      imageDetails: [
        { imageDigest: found.digest, ...(found.pushedAt ? { imagePushedAt: found.pushedAt } : {}) },
      ],
    };
  });
  events.on(PutEventsCommand).callsFake((input) => {
    for (const e of input.Entries ?? []) {
      state.published.push({ detailType: e.DetailType!, detail: JSON.parse(e.Detail!) });
    }
    return {
      FailedEntryCount: 0,
      Entries: (input.Entries ?? []).map((_: unknown, i: number) => ({ EventId: `e${i}` })),
    };
  });

  return {
    appRunner,
    ecr,
    events,
    state,
    add(s: FakeService) {
      state.services.set(s.arn, s);
      return s;
    },
    reset() {
      state.services.clear();
      state.tags.clear();
      state.updates.length = 0;
      state.published.length = 0;
      state.updateError = undefined;
    },
    publishedFor(arn: string) {
      return state.published.filter((p) => (p.detail.service as { arn?: string } | undefined)?.arn === arn);
    },
  };
}
