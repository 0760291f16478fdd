import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBakeLedger } from '../../lib/aws/bake-ledger.ts';
import { createLedgerGateway, type LedgerPort } from '../../lib/aws/ledger.ts';
import { RetryAfterError } from '../../lib/core/errors.ts';
import { parseAppRunnerEvent } from '../../lib/events/app-runner.ts';
import { createRollbackFailureReporter, ROLLBACK_RETRY_SECONDS } from '../../lib/rollback/rollback.ts';
import {
  BAD,
  D,
  DIGEST_PIN,
  eventFor,
  type FakeService,
  fakeService,
  GOOD,
  installFakes,
  REPO,
} from '../lib/rollback/fakes.ts';
import { useDynamoDB } from '../support/dynamodb.ts';
import { hubTargets, lambdaContext } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';
import { releaseHandlers } from '../support/handlers.ts';
import { sdkError } from '../support/sdk-errors.ts';

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

let ledger: LedgerPort;
let rollback: Handler;
let recordRelease: Handler;
const fakes = installFakes();

async function importHandlers(overrides: Record<string, string> = {}) {
  ({ rollback, recordRelease } = await releaseHandlers(db, overrides));
}

const invoke = (h: Handler, event: unknown) => h(event, lambdaContext() as unknown as Context);

const db = useDynamoDB({ tables: { idempotency: 'guard-idempotency', ledger: 'guard-ledger' } });
beforeAll(async () => {
  ledger = createLedgerGateway(db.client, 'guard-ledger');
  await importHandlers();
});
beforeEach(() => fakes.reset());

/** A service that deployed GOOD on `payments:latest` (recorded by the real record-release), then the tag moved to BAD. */
async function serviceWithBadTag(over: Partial<FakeService> = {}) {
  const { status = 'RUNNING', ...rest } = over;
  const svc = fakes.add(fakeService(rest));
  fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
  svc.operations = [
    {
      Id: 'op-good',
      Type: 'START_DEPLOYMENT',
      Status: 'SUCCEEDED',
      StartedAt: new Date('2026-11-20T12:00:00Z'),
    },
  ];
  const recorded = await invoke(
    recordRelease,
    eventFor('apprunner-operation/deployment-completed-successfully', svc, { time: '2026-11-20T12:05:00Z' }),
  );
  expect(recorded).toMatchObject({ outcome: 'acted', digest: GOOD });
  fakes.state.tags.set(`${REPO}:latest`, { digest: BAD });
  svc.operations = [
    {
      Id: 'op-bad',
      Type: 'START_DEPLOYMENT',
      Status: 'ROLLBACK_SUCCEEDED',
      StartedAt: new Date('2026-11-20T14:00:00Z'),
    },
    ...svc.operations,
  ];
  svc.status = status;
  fakes.state.published.length = 0;
  return svc;
}

const failure = (svc: FakeService, fixture = 'apprunner-operation/deployment-failed') =>
  eventFor(fixture, svc, { time: '2026-11-20T14:03:10Z' });

function onlyOutcome(svc: FakeService) {
  const events = fakes.publishedFor(svc.arn);
  expect(events, 'exactly one outcome event per failure event').toHaveLength(1);
  return events[0]!;
}

describe('rollback function', () => {
  it('pins a service whose mutable tag now names a bad digest to the last known-good digest', async () => {
    const svc = await serviceWithBadTag();
    const result = await invoke(rollback, failure(svc));

    expect(result).toMatchObject({ outcome: 'acted', code: 'pin', toImage: `${REPO}@${GOOD}` });
    expect(fakes.state.updates).toEqual([{ arn: svc.arn, image: `${REPO}@${GOOD}` }]);
    for (const u of fakes.state.updates) expect(u.image).toMatch(DIGEST_PIN);

    const outcome = onlyOutcome(svc);
    expect(outcome.detailType).toBe('Rollback Completed');
    expect(outcome.detail).toMatchObject({
      job: 'rollback',
      outcome: 'acted',
      action: 'pin-image',
      dryRun: false,
      details: {
        failureStatus: 'DeploymentFailed',
        failureMessage: expect.stringContaining('Health check failed'),
        fromImage: `${REPO}:latest`,
        fromDigest: BAD,
        toImage: `${REPO}@${GOOD}`,
        toDigest: GOOD,
        quarantinedDigest: BAD,
        operationId: 'op-1',
      },
    });
    expect((await ledger.listQuarantined(svc.arn)).map((q) => q.digest)).toEqual([BAD]);
    expect(await ledger.listRollbacks(svc.arn)).toMatchObject([
      {
        status: 'started',
        kind: 'automatic',
        toImage: `${REPO}@${GOOD}`,
        operationId: 'op-1',
        time: '2026-11-20T14:03:10.000Z',
      },
    ]);
  });

  it('a pin turns automatic deployments off explicitly and remembers the tag and setting it replaced', async () => {
    const svc = await serviceWithBadTag();
    await invoke(rollback, failure(svc));
    expect(fakes.state.autoDeployments.get(svc.arn)).toBe(false);
    expect(await ledger.getPin(svc.arn)).toMatchObject({
      replacedImage: `${REPO}:latest`,
      repository: REPO,
      tag: 'latest',
      failedDigest: BAD,
      pinnedImage: `${REPO}@${GOOD}`,
      pinnedDigest: GOOD,
    });
    expect(onlyOutcome(svc).detail.details).toMatchObject({
      pinnedFromTag: `${REPO}:latest`,
      autoDeployments: 'off while pinned',
    });
  });

  it.each(['hostile/long-message', 'hostile/control-characters'])(
    'rolls back a genuine DeploymentFailed whose Message is odd (%s), carrying it normalised',
    async (fixture) => {
      const svc = await serviceWithBadTag();
      const result = await invoke(rollback, failure(svc, fixture));
      expect(result).toMatchObject({ outcome: 'acted', code: 'pin', toImage: `${REPO}@${GOOD}` });
      const message = (onlyOutcome(svc).detail as { details: { failureMessage: string } }).details
        .failureMessage;
      expect(message.length).toBeLessThanOrEqual(4096);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting none survive
      expect(message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    },
  );

  it('acts once when the same event is delivered twice', async () => {
    const svc = await serviceWithBadTag();
    const event = failure(svc);
    const first = await invoke(rollback, event);
    const second = await invoke(rollback, structuredClone(event));
    expect(second).toEqual(first);
    expect(fakes.state.updates).toHaveLength(1);
    onlyOutcome(svc);
  });

  it('handles the camelCase spelling the same way', async () => {
    const svc = await serviceWithBadTag();
    await invoke(rollback, failure(svc, 'apprunner-camel/deployment-failed'));
    expect(fakes.state.updates).toEqual([{ arn: svc.arn, image: `${REPO}@${GOOD}` }]);
  });

  it('rolls back an UpdateServiceFailed that changed the image', async () => {
    const svc = await serviceWithBadTag();
    await invoke(rollback, failure(svc, 'apprunner-operation/update-service-failed'));
    expect(fakes.state.updates.map((u) => u.image)).toEqual([`${REPO}@${GOOD}`]);
    expect(onlyOutcome(svc).detail.details).toMatchObject({ failureStatus: 'UpdateServiceFailed' });
  });

  it('does nothing for an UpdateServiceFailed that did not change the image, and says so', async () => {
    const svc = await serviceWithBadTag();
    fakes.state.tags.set(`${REPO}:latest`, { digest: GOOD });
    const result = await invoke(rollback, failure(svc, 'apprunner-operation/update-service-failed'));
    expect(result).toMatchObject({ outcome: 'noop', code: 'known-good' });
    expect(fakes.state.updates).toEqual([]);
    expect(onlyOutcome(svc)).toMatchObject({ detailType: 'Rollback Skipped', detail: { outcome: 'noop' } });
  });

  it('skips and explains when there is no known-good release', async () => {
    const svc = fakes.add(fakeService());
    fakes.state.tags.set(`${REPO}:latest`, { digest: BAD });
    const result = await invoke(rollback, failure(svc));
    expect(result).toMatchObject({ outcome: 'skipped', code: 'no-known-good' });
    expect(fakes.state.updates).toEqual([]);
    const outcome = onlyOutcome(svc);
    expect(outcome.detailType).toBe('Rollback Skipped');
    expect(outcome.detail.reason).toMatch(/No known-good release/);
  });

  it('skips a code-based service with guidance', async () => {
    const svc = fakes.add(fakeService({ code: true }));
    await invoke(rollback, failure(svc));
    expect(fakes.state.updates).toEqual([]);
    expect(onlyOutcome(svc).detail.reason).toMatch(/Revert the bad commit/);
  });

  it('skips a service opted out by tag', async () => {
    const svc = await serviceWithBadTag({ tags: { 'apprunner-guard:rollback': 'off' } });
    const result = await invoke(rollback, failure(svc));
    expect(result).toMatchObject({ outcome: 'skipped', code: 'opted-out' });
    expect(fakes.state.updates).toEqual([]);
    onlyOutcome(svc);
  });

  it('skips a service that was deleted meanwhile', async () => {
    const svc = await serviceWithBadTag();
    svc.deleted = true;
    expect(await invoke(rollback, failure(svc))).toMatchObject({ outcome: 'skipped', code: 'deleted' });
    onlyOutcome(svc);
  });

  it("waits out App Runner's own rollback (OPERATION_IN_PROGRESS) with retry-after, silently, then pins once", async () => {
    const svc = await serviceWithBadTag({ status: 'OPERATION_IN_PROGRESS' });
    const event = failure(svc);
    // However long App Runner's own rollback runs: no attempt counter, no give-up of its own.
    for (let i = 0; i < 7; i++) {
      const error = await invoke(rollback, event).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RetryAfterError);
      expect((error as RetryAfterError).delaySeconds).toBe(ROLLBACK_RETRY_SECONDS);
    }
    expect(fakes.publishedFor(svc.arn)).toEqual([]);
    expect(fakes.state.updates).toEqual([]);
    svc.status = 'RUNNING';
    expect(await invoke(rollback, event)).toMatchObject({ outcome: 'acted' });
    expect(await invoke(rollback, event)).toMatchObject({ outcome: 'acted' });
    expect(fakes.state.updates).toHaveLength(1);
    expect(onlyOutcome(svc).detailType).toBe('Rollback Completed');
  });

  it('past its maximum wait, the failure reporter says it gave up waiting and what a human does', async () => {
    const published: unknown[] = [];
    const report = createRollbackFailureReporter(
      { publish: async (entries) => void published.push(...entries) },
      false,
    );
    const event = parseAppRunnerEvent(loadFixture('apprunner-operation/deployment-failed'), {
      targets: hubTargets(),
    });
    await report(event, new RetryAfterError('an operation is in progress', ROLLBACK_RETRY_SECONDS));
    expect(published).toEqual([
      expect.objectContaining({
        detailType: 'Rollback Failed',
        detail: expect.objectContaining({
          outcome: 'failed',
          reason: expect.stringMatching(/gave up waiting for the service to settle.*guard rollback/),
        }),
      }),
    ]);
  });

  it('rolls back on a retry once the operation in progress has ended', async () => {
    const svc = await serviceWithBadTag({ status: 'OPERATION_IN_PROGRESS' });
    const event = failure(svc);
    await expect(invoke(rollback, event)).rejects.toThrow(/in progress/);
    svc.status = 'RUNNING';
    expect(await invoke(rollback, event)).toMatchObject({ outcome: 'acted' });
    expect(fakes.state.updates).toHaveLength(1);
    onlyOutcome(svc);
  });

  it('alerts with Rollback Failed, carrying the deployment failure, when UpdateService is refused', async () => {
    const svc = await serviceWithBadTag();
    fakes.model.faults.fail = (call) =>
      call === 'update' ? sdkError('InvalidRequestException', 'bad request') : undefined;
    const result = await invoke(rollback, failure(svc));
    expect(result).toMatchObject({ outcome: 'failed' });
    const outcome = onlyOutcome(svc);
    expect(outcome).toMatchObject({
      detailType: 'Rollback Failed',
      detail: {
        outcome: 'failed',
        details: { failureStatus: 'DeploymentFailed', error: 'InvalidRequestException' },
      },
    });
    expect(outcome.detail.details).toHaveProperty('failureMessage');
  });

  it("does not roll back again when the guard's own pin failed", async () => {
    const svc = await serviceWithBadTag();
    await invoke(rollback, failure(svc));
    // App Runner reports the pin (op-1) failed.
    svc.operations = [
      {
        Id: 'op-1',
        Type: 'UPDATE_SERVICE',
        Status: 'ROLLBACK_SUCCEEDED',
        StartedAt: new Date('2026-11-20T14:03:20Z'),
      },
      ...svc.operations,
    ];
    fakes.state.published.length = 0;
    const result = await invoke(
      rollback,
      eventFor('apprunner-operation/update-service-failed', svc, { time: '2026-11-20T14:08:00Z' }),
    );
    expect(result).toMatchObject({ outcome: 'failed', code: 'own-rollback-failed' });
    expect(fakes.state.updates).toHaveLength(1);
    expect(onlyOutcome(svc).detailType).toBe('Rollback Failed');
  });

  it('stops at the loop guard and alerts', async () => {
    const svc = await serviceWithBadTag();
    for (const [i, t] of ['13:10', '13:25', '13:40'].entries()) {
      await ledger.recordRollback({
        serviceArn: svc.arn,
        time: `2026-11-20T${t}:00Z`,
        trigger: `earlier-${i}`,
        kind: 'automatic',
        status: 'started',
        fromImage: `${REPO}:latest`,
        fromDigest: D(String(i)),
        toImage: `${REPO}@${GOOD}`,
        toDigest: GOOD,
        operationId: `old-${i}`,
      });
    }
    const result = await invoke(rollback, failure(svc));
    expect(result).toMatchObject({ outcome: 'failed', code: 'loop-guard' });
    expect(fakes.state.updates).toEqual([]);
    expect(onlyOutcome(svc)).toMatchObject({ detailType: 'Rollback Failed', detail: { outcome: 'failed' } });
  });

  it('treats a failure older than a recorded success as stale', async () => {
    const svc = await serviceWithBadTag();
    const result = await invoke(
      rollback,
      eventFor('apprunner-operation/deployment-failed', svc, { time: '2026-11-20T11:00:00Z' }),
    );
    expect(result).toMatchObject({ outcome: 'noop', code: 'stale' });
    expect(fakes.state.updates).toEqual([]);
    onlyOutcome(svc);
  });

  it('ignores status-change events without publishing', async () => {
    const svc = fakes.add(fakeService());
    const result = await invoke(rollback, eventFor('apprunner-status/running', svc));
    expect(result).toMatchObject({ outcome: 'skipped' });
    expect(fakes.publishedFor(svc.arn)).toEqual([]);
  });

  describe('dry run', () => {
    beforeAll(() => importHandlers({ DRY_RUN_ROLLBACK: 'true' }));
    afterAll(() => importHandlers());

    it('plans and publishes with dryRun: true, and changes nothing', async () => {
      const svc = await serviceWithBadTag();
      const result = await invoke(rollback, failure(svc));
      expect(result).toMatchObject({ outcome: 'acted', dryRun: true, toImage: `${REPO}@${GOOD}` });
      expect(fakes.state.updates).toEqual([]);
      const outcome = onlyOutcome(svc);
      expect(outcome.detail).toMatchObject({ dryRun: true, action: 'pin-image' });
      expect(outcome.detail.reason).toMatch(/^Dry run/);
      expect(await ledger.listQuarantined(svc.arn)).toEqual([]);
      expect(await ledger.listRollbacks(svc.arn)).toEqual([]);
    });
  });

  describe('an alarm during a candidate’s bake (CloudWatch Alarm State Change)', () => {
    /** The service runs BAD, a candidate baking since 12:30, watched by its own alarm. */
    async function baking() {
      const svc = await serviceWithBadTag();
      const alarmName = `alarm-${svc.name}`;
      await ledger.recordRelease(
        {
          serviceArn: svc.arn,
          imageIdentifier: `${REPO}:latest`,
          repository: REPO,
          digest: BAD,
          time: '2026-11-20T12:33:00Z',
          eventId: 'ev-candidate',
          state: 'candidate',
        },
        { historyLimit: 20 },
      );
      await createBakeLedger(db.client, 'guard-ledger').recordBake({
        serviceArn: svc.arn,
        trigger: 'ev-candidate',
        imageIdentifier: `${REPO}:latest`,
        repository: REPO,
        digest: BAD,
        deploymentStartedAt: '2026-11-20T12:30:00Z',
        deployedAt: '2026-11-20T12:33:00Z',
        bakeMinutes: 30,
        bakeUntil: '2026-11-20T13:03:00.000Z',
        alarms: [alarmName],
        firingAtStart: [],
        status: 'baking',
      });
      const alarm = (at: string) => {
        const raw = loadFixture<
          Record<string, unknown> & { detail: Record<string, Record<string, unknown>> }
        >('cloudwatch/alarm-state-change');
        raw.id = crypto.randomUUID();
        raw.time = at;
        raw.resources = [`arn:aws:cloudwatch:us-east-1:111122223333:alarm:${alarmName}`];
        (raw.detail as Record<string, unknown>).alarmName = alarmName;
        raw.detail.state!.timestamp = at;
        return raw;
      };
      return { svc, alarm };
    }

    it('pins the last promoted digest, quarantines the candidate, marks the bake rolled back; firing again is alerted, not rolled back', async () => {
      const { svc, alarm } = await baking();
      const result = await invoke(rollback, alarm('2026-11-20T12:40:00Z'));
      expect(result).toMatchObject({
        outcome: 'acted',
        code: 'pin',
        toImage: `${REPO}@${GOOD}`,
        quarantinedDigest: BAD,
      });
      expect(fakes.state.updates).toEqual([{ arn: svc.arn, image: `${REPO}@${GOOD}` }]);
      expect((await ledger.listQuarantined(svc.arn)).map((q) => q.digest)).toEqual([BAD]);
      expect(await createBakeLedger(db.client, 'guard-ledger').getBake(svc.arn)).toMatchObject({
        status: 'rolled-back',
      });
      const again = await invoke(rollback, alarm('2026-11-20T12:50:00Z'));
      expect(again).toMatchObject({ outcome: 'skipped', services: [{ code: 'already-rolled-back' }] });
      expect(fakes.state.updates).toHaveLength(1);
    });

    it('an alarm no bake watches is nothing to do, and publishes nothing', async () => {
      const { svc } = await baking();
      const raw = loadFixture('cloudwatch/alarm-state-change-user-alarm');
      expect(await invoke(rollback, raw)).toMatchObject({ outcome: 'noop' });
      expect(fakes.publishedFor(svc.arn)).toHaveLength(0);
    });
  });
});
