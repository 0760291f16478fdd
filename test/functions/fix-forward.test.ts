/**
 * The fix-forward handler built with injected fakes (the shared in-memory App Runner, ledger and publisher):
 * what on-call sees for each push, and what the service is configured with afterwards.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { GuardEventEntry } from '../../lib/core/guard-event.ts';
import type {
  LedgerPort,
  PinRecord,
  PinReleaseRecord,
  QuarantineRecord,
} from '../../lib/core/ports/release-ledger.ts';
import { createHandler } from '../../lib/fix-forward/job.ts';
import { ARN, D, pinOf, REPO } from '../lib/release/views.ts';
import { type InMemoryService, inMemoryAppRunner } from '../support/app-runner.ts';
import { hubTargets, lambdaContext } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';

const GOOD = D('a');
const _BAD = D('b');
const PINNED = `${REPO}@${GOOD}`;
// The digest events/ecr/image-push.json pushes to payments:latest.
const PUSHED = loadFixture<{ detail: { 'image-digest': string } }>('ecr/image-push').detail['image-digest'];

function world(
  over: {
    service?: Partial<InMemoryService>;
    pin?: Partial<PinRecord> | null;
    tags?: Record<string, string>;
    quarantined?: string[];
  } = {},
) {
  const appRunner = inMemoryAppRunner([
    {
      arn: ARN,
      name: 'payments-api',
      id: ARN.split('/').at(-1)!,
      status: 'RUNNING',
      image: PINNED,
      repositoryType: 'ECR',
      autoDeployments: false,
      tags: over.tags ?? {},
      ...over.service,
    },
  ]);
  const pins = new Map<string, PinRecord>();
  if (over.pin !== null) {
    pins.set(ARN, pinOf(over.pin ?? {}));
  }
  const quarantined: QuarantineRecord[] = (over.quarantined ?? []).map((digest) => ({
    serviceArn: ARN,
    digest,
    time: '2026-11-20T10:30:00Z',
    reason: 'DeploymentFailed',
    trigger: 'ev-1',
  }));
  const published: GuardEventEntry[] = [];
  const releases = new Map<string, PinReleaseRecord>();
  const ledger = {
    listQuarantined: async () => quarantined,
    listPinsByRepository: async (repository: string) =>
      [...pins.values()].filter((p) => p.repository === repository),
    getPin: async (arn: string) => pins.get(arn),
    removePin: async (arn: string) => pins.delete(arn),
    recordPinRelease: async (r: PinReleaseRecord) => void releases.set(r.serviceArn, r),
  } as Partial<LedgerPort> as LedgerPort;
  return {
    pins,
    releases,
    /** The image updates App Runner received, with the automatic deployments each set. */
    get updates() {
      return appRunner.updates.map((u) => ({
        image: u.image,
        autoDeploymentsEnabled: appRunner.autoDeployments.get(u.arn),
      }));
    },
    published,
    handler: (dryRun = false) =>
      createHandler({
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
        idempotency: false,
        onReject: async () => {},
        targets: hubTargets(),
        ports: {
          appRunner: appRunner.port,
          images: { resolve: async () => ({ kind: 'unresolvable', reason: 'not used' }) },
          ledger,
          publisher: { publish: async (entries: GuardEventEntry[]) => void published.push(...entries) },
        },
        settings: { dryRun },
      }),
  };
}

const push = (over: { tag?: string; digest?: string } = {}) => {
  const event = loadFixture<{ id: string; detail: Record<string, unknown> }>('ecr/image-push');
  event.id = crypto.randomUUID();
  if (over.tag) event.detail['image-tag'] = over.tag;
  if (over.digest) event.detail['image-digest'] = over.digest;
  return event;
};
const invoke = (h: ReturnType<ReturnType<typeof world>['handler']>, event: unknown) =>
  (h as unknown as (e: unknown, c: Context) => Promise<Record<string, unknown>>)(event, lambdaContext());

describe('fix-forward handler', () => {
  it('a push of a new digest to the followed tag releases the pin: back to repo:tag, auto-deploy on, Pin Released', async () => {
    const w = world();
    const result = await invoke(w.handler(), push());
    expect(result).toMatchObject({ outcome: 'acted' });
    expect(w.updates).toEqual([{ image: `${REPO}:latest`, autoDeploymentsEnabled: true }]);
    expect(w.pins.size).toBe(0);
    // What it released to is kept, for the rollback to recognise a failed fix.
    expect([...w.releases.values()]).toMatchObject([
      { releasedTo: `${REPO}:latest`, digest: PUSHED, operationId: 'op-1' },
    ]);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]).toMatchObject({
      detailType: 'Pin Released',
      detail: {
        job: 'fix-forward',
        outcome: 'acted',
        action: 'release-pin',
        details: { pushedDigest: PUSHED, releasedTo: `${REPO}:latest`, operationId: 'op-1' },
      },
    });
  });

  it('the failed digest pushed again: the pin holds, Pin Kept says why', async () => {
    const w = world({ pin: { failedDigest: PUSHED } });
    const result = await invoke(w.handler(), push());
    expect(result).toMatchObject({ outcome: 'skipped' });
    expect(w.updates).toEqual([]);
    expect(w.pins.size).toBe(1);
    expect(w.published[0]).toMatchObject({
      detailType: 'Pin Kept',
      detail: { outcome: 'skipped', details: { code: 'failed-digest', attention: true } },
    });
  });

  it('a quarantined digest pushed: the pin holds', async () => {
    const w = world({ quarantined: [PUSHED] });
    expect(await invoke(w.handler(), push())).toMatchObject({ outcome: 'skipped' });
    expect(w.updates).toEqual([]);
  });

  it('nothing to do: a push to another tag, or a repository nobody pinned, publishes nothing', async () => {
    const w = world();
    expect(await invoke(w.handler(), push({ tag: 'canary' }))).toMatchObject({
      outcome: 'noop',
      reason: expect.stringContaining('No service pinned by the guard follows'),
    });
    const none = world({ pin: null });
    expect(await invoke(none.handler(), push())).toMatchObject({ outcome: 'noop' });
    expect([...w.published, ...none.published]).toEqual([]);
    expect([...w.updates, ...none.updates]).toEqual([]);
  });

  it('opted out with apprunner-guard:fix-forward=off: the pin holds', async () => {
    const w = world({ tags: { 'apprunner-guard:fix-forward': 'off' } });
    expect(await invoke(w.handler(), push())).toMatchObject({ outcome: 'skipped' });
    expect(w.updates).toEqual([]);
  });

  it('dry-run: reports the release it would make, changes nothing', async () => {
    const w = world();
    const result = await invoke(w.handler(true), push());
    expect(result).toMatchObject({ outcome: 'acted', reason: expect.stringContaining('Dry run') });
    expect(w.updates).toEqual([]);
    expect(w.pins.size).toBe(1);
    expect(w.published[0]).toMatchObject({ detailType: 'Pin Released', detail: { dryRun: true } });
  });

  it('an operation in progress: comes back later (retry after a delay), nothing published', async () => {
    const w = world({ service: { status: 'OPERATION_IN_PROGRESS' } });
    await expect(invoke(w.handler(), push())).rejects.toMatchObject({ name: 'RetryAfterError' });
    expect(w.published).toEqual([]);
  });

  it('rejects a push from another account, naming the field', async () => {
    const w = world();
    const event = { ...push(), account: '999999999999' };
    expect(await invoke(w.handler(), event)).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('account'),
    });
  });
});
