import type { Context } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLedgerGateway, type LedgerPort } from '../../lib/aws/ledger.ts';
import { BAD, eventFor, fakeService, GOOD, installFakes, REPO } from '../lib/rollback/fakes.ts';
import { useDynamoDB } from '../support/dynamodb.ts';
import { lambdaContext } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';
import { releaseHandlers } from '../support/handlers.ts';

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

let ledger: LedgerPort;
let handler: Handler;
const fakes = installFakes();
const SUCCESS = 'apprunner-operation/deployment-completed-successfully';
const invoke = (event: unknown) => handler(event, lambdaContext() as unknown as Context);

const db = useDynamoDB({ tables: { idempotency: 'guard-idempotency', ledger: 'guard-ledger' } });
beforeAll(async () => {
  ledger = createLedgerGateway(db.client, 'guard-ledger');
  handler = (await releaseHandlers(db)).recordRelease;
});
beforeEach(() => {
  fakes.reset();
  fakes.ecr.resetHistory();
});

describe('record-release function', () => {
  it('records the digest the service now runs and publishes Release Recorded', async () => {
    const svc = fakes.add(fakeService());
    fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
    const event = eventFor(SUCCESS, svc, { time: '2026-11-20T12:05:00Z' });
    const result = await invoke(event);
    expect(result).toMatchObject({ outcome: 'acted', digest: GOOD, image: `${REPO}@${GOOD}` });
    expect(await ledger.listReleases(svc.arn)).toEqual([
      {
        serviceArn: svc.arn,
        imageIdentifier: `${REPO}:latest`,
        repository: REPO,
        digest: GOOD,
        time: '2026-11-20T12:05:00.000Z',
        eventId: event.id,
      },
    ]);
    const published = fakes.publishedFor(svc.arn);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      detailType: 'Release Recorded',
      detail: {
        job: 'record-release',
        outcome: 'acted',
        trigger: event.id,
        details: { digest: GOOD, repository: REPO },
      },
    });
  });

  it.each([
    'apprunner-operation/update-service-completed-successfully',
    'apprunner-operation/create-service-completed-successfully',
    'apprunner-camel/deployment-completed-successfully',
  ])('records on %s', async (fixture) => {
    const svc = fakes.add(fakeService());
    fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
    expect(await invoke(eventFor(fixture, svc))).toMatchObject({ outcome: 'acted' });
    expect((await ledger.listReleases(svc.arn)).map((r) => r.digest)).toEqual([GOOD]);
  });

  it('is idempotent: the same event twice, or the same digest again, leaves one entry', async () => {
    const svc = fakes.add(fakeService());
    fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
    const event = eventFor(SUCCESS, svc, { time: '2026-11-20T12:05:00Z' });
    await invoke(event);
    await invoke(structuredClone(event));
    await invoke(eventFor(SUCCESS, svc, { time: '2026-11-20T12:05:00Z' }));
    expect(await ledger.listReleases(svc.arn)).toHaveLength(1);
    expect(fakes.publishedFor(svc.arn)).toHaveLength(1);
  });

  it('needs no ECR call for an image configured by digest', async () => {
    const svc = fakes.add(fakeService({ image: `${REPO}@${GOOD}` }));
    expect(await invoke(eventFor(SUCCESS, svc))).toMatchObject({ outcome: 'acted', digest: GOOD });
    expect(fakes.ecr.calls()).toHaveLength(0);
  });

  it('records nothing for a code-based service, and says why', async () => {
    const svc = fakes.add(fakeService({ code: true }));
    const result = await invoke(eventFor(SUCCESS, svc));
    expect(result).toMatchObject({ outcome: 'skipped', code: 'code-based' });
    expect(result.reason).toMatch(/cannot pin a commit/);
    expect(await ledger.listReleases(svc.arn)).toEqual([]);
    expect(fakes.publishedFor(svc.arn)).toEqual([]);
  });

  it('records nothing when the service is no longer RUNNING', async () => {
    const svc = fakes.add(fakeService({ status: 'OPERATION_IN_PROGRESS' }));
    fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
    expect(await invoke(eventFor(SUCCESS, svc))).toMatchObject({ outcome: 'skipped', code: 'not-running' });
    expect(await ledger.listReleases(svc.arn)).toEqual([]);
  });

  it('records nothing for an ECR Public tag, explaining what to do', async () => {
    const svc = fakes.add(
      fakeService({ image: 'public.ecr.aws/nginx/nginx:latest', repositoryType: 'ECR_PUBLIC' }),
    );
    const result = await invoke(eventFor(SUCCESS, svc));
    expect(result).toMatchObject({ outcome: 'skipped', code: 'unresolvable' });
    expect(result.reason).toMatch(/by digest/);
  });

  it('lifts the quarantine of a digest that later deployed successfully', async () => {
    const svc = fakes.add(fakeService());
    await ledger.quarantine({
      serviceArn: svc.arn,
      digest: BAD,
      time: '2026-11-20T10:00:00Z',
      reason: 'failed',
      trigger: 'x',
    });
    fakes.state.tags.set(`${REPO}:latest`, { digest: BAD });
    const result = await invoke(eventFor(SUCCESS, svc, { time: '2026-11-20T12:00:00Z' }));
    expect(result).toMatchObject({ outcome: 'acted', quarantineLifted: true });
    expect(await ledger.listQuarantined(svc.arn)).toEqual([]);
  });

  it('a promotion wake-up naming no bake the ledger knows is nothing to do; a bad payload is rejected naming the field', async () => {
    const payload = loadFixture<Record<string, unknown>>('scheduler/release-promote');
    expect(await invoke(payload)).toMatchObject({ outcome: 'noop', code: 'superseded' });
    expect(await invoke({ ...payload, digest: 'latest' })).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('digest'),
    });
  });

  it('takes a service’s tag change and the backstop pass; rejects them from elsewhere or malformed, naming the field', async () => {
    const foreign = loadFixture<Record<string, unknown>>('tag/bake-opt-in-removed');
    foreign.account = '999988887777';
    expect(await invoke(foreign)).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('account'),
    });
    expect(await invoke(loadFixture('invalid/tag-change-arn-mismatch'))).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('resources'),
    });
    const pass = loadFixture<Record<string, unknown>>('scheduler/retire-alarms');
    expect(await invoke({ ...pass, scheduledTime: 'soon' })).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('scheduledTime'),
    });
  });
});
