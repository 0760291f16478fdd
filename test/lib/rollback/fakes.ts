/**
 * The rollback and record-release handler tests' world: the shared App Runner model
 * (test/support/app-runner.ts) on its SDK face, plus a small stateful ECR and EventBridge on
 * aws-sdk-client-mock. DynamoDB is real (dynalite).
 */
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { type InMemoryService, inMemoryAppRunner } from '../../support/app-runner.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { D, REPO } from '../release/views.ts';

export { D, REPO } from '../release/views.ts';
export const GOOD = D('a');
export const BAD = D('b');
export const DIGEST_PIN = /^111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com\/payments@sha256:[0-9a-f]{64}$/;

/** A service of the model with the identity the tests read (arn, id) always set. */
export type FakeService = InMemoryService & {
  arn: string;
  id: string;
  operations: NonNullable<InMemoryService['operations']>;
};

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
    autoDeployments: false,
    tags: {},
    operations: [],
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-11-20T00:00:00Z'),
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
  const model = inMemoryAppRunner();
  const appRunner = model.installOn(mockClient(AppRunnerClient));
  const ecr = mockClient(ECRClient);
  const events = mockClient(EventBridgeClient);
  const state = {
    /** `repo:tag` → digest (and optional push time). */
    tags: new Map<string, { digest: string; pushedAt?: Date }>(),
    /** Every UpdateService: which service, to which image. */
    updates: model.updates,
    /** `AutoDeploymentsEnabled` of the last UpdateService per service, as sent. */
    autoDeployments: model.autoDeployments,
    published: [] as { detailType: string; detail: Record<string, unknown> }[],
  };

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
    /** The App Runner model (services, faults, logs). */
    model,
    appRunner,
    ecr,
    events,
    state,
    add(s: FakeService) {
      return model.add(s);
    },
    reset() {
      model.reset();
      state.tags.clear();
      state.published.length = 0;
    },
    publishedFor(arn: string) {
      return state.published.filter((p) => (p.detail.service as { arn?: string } | undefined)?.arn === arn);
    },
  };
}
