import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBakeLedger } from '../../lib/aws/bake-ledger.ts';
import { createLedgerGateway, type LedgerPort } from '../../lib/aws/ledger.ts';
import { pinOf } from '../lib/release/views.ts';
import { BAD, D, type FakeService, fakeService, GOOD, installFakes, REPO } from '../lib/rollback/fakes.ts';
import { useDynamoDB } from '../support/dynamodb.ts';
import { runGuard } from './support.ts';

let ledger: LedgerPort;
const fakes = installFakes();
const scheduler = mockClient(SchedulerClient);
const cloudwatch = mockClient(CloudWatchClient);
const FIX = D('c');
const SAVED_ENDPOINT = process.env.AWS_ENDPOINT_URL_DYNAMODB;

const db = useDynamoDB({ tables: { idempotency: 'cli-unpin-idem', ledger: 'cli-unpin-ledger' } });
beforeAll(async () => {
  ledger = createLedgerGateway(db.client, 'cli-unpin-ledger');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
});
afterAll(async () => {
  if (SAVED_ENDPOINT === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  else process.env.AWS_ENDPOINT_URL_DYNAMODB = SAVED_ENDPOINT;
});
beforeEach(() => {
  fakes.reset();
  scheduler.reset();
  cloudwatch.reset();
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
});

const ENV = {
  LEDGER_TABLE: 'cli-unpin-ledger',
  EVENT_BUS_NAME: 'default',
  SCHEDULER_GROUP: 'apprunner-guard',
  AWS_REGION: 'us-east-1',
  USER: 'alice',
};

/** A service the guard pinned to GOOD after BAD failed on `payments:latest`, which now names `tagNow`. */
async function pinnedService(tagNow: string, over: Partial<FakeService> = {}) {
  const svc = fakes.add(fakeService({ image: `${REPO}@${GOOD}`, ...over }));
  fakes.state.tags.set(`${REPO}:latest`, { digest: tagNow });
  const pin = pinOf({
    serviceArn: svc.arn,
    reason: 'The deployment of payments:latest failed; pinned the newest known-good release.',
  });
  await ledger.recordPin(pin);
  await ledger.recordRelease(
    {
      serviceArn: svc.arn,
      imageIdentifier: `${REPO}:latest`,
      repository: REPO,
      digest: GOOD,
      time: '2026-11-20T10:05:00Z',
      eventId: 'ev-0',
    },
    { historyLimit: 20 },
  );
  await ledger.quarantine({
    serviceArn: svc.arn,
    digest: BAD,
    time: '2026-11-20T10:30:00Z',
    reason: 'DeploymentFailed',
    trigger: 'ev-1',
  });
  return svc;
}

describe('guard unpin', () => {
  it('releases the pin back to the tag with automatic deployments as they were, and publishes Pin Released', async () => {
    const svc = await pinnedService(FIX);
    const { code, out } = await runGuard(['unpin', svc.arn], ENV);
    expect(code).toBe(0);
    expect(fakes.state.updates).toEqual([{ arn: svc.arn, image: `${REPO}:latest` }]);
    expect(fakes.state.autoDeployments.get(svc.arn)).toBe(true);
    expect(out).toContain(`release-pin → ${REPO}:latest`);
    expect(await ledger.getPin(svc.arn)).toBeUndefined();
    expect(fakes.state.published).toMatchObject([
      {
        detailType: 'Pin Released',
        detail: { job: 'fix-forward', outcome: 'acted', trigger: expect.stringMatching(/^manual:alice@/) },
      },
    ]);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const svc = await pinnedService(FIX);
    const { code, out } = await runGuard(['unpin', svc.arn, '--dry-run'], ENV);
    expect(code).toBe(0);
    expect(out).toContain('dry run: would release, nothing changed');
    expect(fakes.state.updates).toEqual([]);
    expect(await ledger.getPin(svc.arn)).toBeDefined();
  });

  it('refuses while the tag still names the digest that failed (same checks as fix forward)', async () => {
    const svc = await pinnedService(BAD);
    const { code, out } = await runGuard(['unpin', svc.arn], ENV);
    expect(code).toBe(1);
    expect(out).toMatch(/outcome\s+skipped \(failed-digest\)/);
    expect(fakes.state.updates).toEqual([]);
  });

  it('says so when the service is not pinned by the guard', async () => {
    const svc = fakes.add(fakeService());
    const { code, err } = await runGuard(['unpin', svc.arn], ENV);
    expect(code).toBe(1);
    expect(err).toContain('is not pinned by the guard');
  });
});

describe('guard status', () => {
  it('shows configured and running state, the pin and why, known-good, quarantined and pending schedules', async () => {
    const svc = await pinnedService(FIX);
    scheduler.on(ListSchedulesCommand).resolves({
      Schedules: [{ Name: `cleanup-${svc.id}-0` }, { Name: 'notify-storm-abc' }],
    });
    scheduler
      .on(GetScheduleCommand, { Name: `cleanup-${svc.id}-0` })
      .resolves({
        Name: `cleanup-${svc.id}-0`,
        ScheduleExpression: 'at(2026-11-21T10:00:00)',
        State: 'ENABLED',
      })
      .on(GetScheduleCommand, { Name: 'notify-storm-abc' })
      .resolves({
        Name: 'notify-storm-abc',
        ScheduleExpression: 'at(2026-11-20T11:00:00)',
        Target: { Arn: 'x', RoleArn: 'y', Input: '{}' },
      });
    const { code, out } = await runGuard(['status', svc.arn], ENV);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`configured\\s+${REPO.replace(/\./g, '\\.')}@${GOOD}`));
    expect(out).toMatch(/status\s+RUNNING/);
    expect(out).toContain(`pinned        yes, to ${REPO}@${GOOD}`);
    expect(out).toContain('The deployment of payments:latest failed');
    expect(out).toContain(`a push of a new digest to ${REPO}:latest, or \`guard unpin ${svc.name}\``);
    expect(out).toContain(GOOD);
    expect(out).toMatch(/quarantined\s+1/);
    expect(out).toContain(`cleanup-${svc.id}-0  at(2026-11-21T10:00:00)`);
    expect(out).not.toContain('notify-storm-abc');
  });

  it('--json prints the same report as one object', async () => {
    const svc = await pinnedService(FIX);
    const { code, out } = await runGuard(['status', svc.arn, '--json'], ENV);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({
      service: { name: svc.name, status: 'RUNNING' },
      pin: { replacedImage: `${REPO}:latest`, fixForward: 'on', failedDigest: BAD },
      knownGood: [{ digest: GOOD }],
      quarantined: [{ digest: BAD }],
      candidate: null,
      schedules: [],
    });
  });

  it('shows the candidate baking, the bake window and its alarms’ states; the candidate is not among the known-good', async () => {
    const svc = fakes.add(fakeService({ tags: { 'apprunner-guard:bake-minutes': '30' } }));
    const release = {
      serviceArn: svc.arn,
      imageIdentifier: `${REPO}:latest`,
      repository: REPO,
      eventId: 'ev-1',
    };
    await ledger.recordRelease(
      { ...release, digest: GOOD, time: '2026-11-20T09:00:00Z' },
      { historyLimit: 20 },
    );
    await ledger.recordRelease(
      { ...release, digest: FIX, time: '2026-11-20T10:03:00Z', state: 'candidate' },
      { historyLimit: 20 },
    );
    await createBakeLedger(db.client, 'cli-unpin-ledger').recordBake({
      serviceArn: svc.arn,
      trigger: 'ev-2',
      imageIdentifier: `${REPO}:latest`,
      repository: REPO,
      digest: FIX,
      deploymentStartedAt: '2026-11-20T10:00:00Z',
      deployedAt: '2026-11-20T10:03:00Z',
      bakeMinutes: 30,
      bakeUntil: '2026-11-20T10:33:00.000Z',
      alarms: ['payments-5xx'],
      ownAlarm: 'payments-5xx',
      firingAtStart: [],
      status: 'baking',
    });
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'payments-5xx',
          AlarmArn: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:payments-5xx',
          StateValue: 'OK',
          StateUpdatedTimestamp: new Date('2026-11-20T10:05:00Z'),
        },
      ],
    });
    const { code, out } = await runGuard(['status', svc.arn], ENV);
    expect(code).toBe(0);
    expect(out).toContain(
      `candidate     ${FIX} (baking until 2026-11-20T10:33:00.000Z; not a rollback target until promoted)`,
    );
    expect(out).toContain('bake window   30 minutes after each successful deployment');
    expect(out).toContain('payments-5xx (the guard’s default alarm)  OK since 2026-11-20T10:05:00.000Z');
    expect(out).toMatch(/known-good\s+1 /);
    const json = JSON.parse((await runGuard(['status', svc.arn, '--json'], ENV)).out);
    expect(json).toMatchObject({
      knownGood: [{ digest: GOOD }],
      candidate: { digest: FIX, state: 'candidate' },
      bake: { minutes: 30, last: { status: 'baking', alarmStates: [{ name: 'payments-5xx', state: 'OK' }] } },
    });
  });

  it('an unpinned service says so; a missing setting is named', async () => {
    const svc = fakes.add(fakeService());
    const { code, out } = await runGuard(['status', svc.arn], ENV);
    expect(code).toBe(0);
    expect(out).toMatch(/pinned\s+no/);
    const missing = await runGuard(['status', svc.arn], { ...ENV, SCHEDULER_GROUP: undefined });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('SCHEDULER_GROUP is required');
  });
});
