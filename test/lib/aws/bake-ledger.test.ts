import { beforeAll, describe, expect, it } from 'vitest';
import { type BakeLedger, type BakeRecord, createBakeLedger } from '../../../lib/aws/bake-ledger.ts';
import { createLedgerGateway, type LedgerPort } from '../../../lib/aws/ledger.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';

const TABLE = 'bake-ledger-test';
const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
let n = 0;
const freshArn = () =>
  `arn:aws:apprunner:us-east-1:111122223333:service/svc-${++n}/${String(n).padStart(32, '0')}`;

const bake = (serviceArn: string, over: Partial<BakeRecord> = {}): BakeRecord => ({
  serviceArn,
  trigger: 'ev-success',
  imageIdentifier: `${REPO}:latest`,
  repository: REPO,
  digest: digest('c'),
  deploymentStartedAt: '2026-11-20T14:00:00.000Z',
  deployedAt: '2026-11-20T14:03:10.000Z',
  bakeMinutes: 30,
  bakeUntil: '2026-11-20T14:33:10.000Z',
  alarms: ['payments-5xx'],
  firingAtStart: [],
  status: 'baking',
  ...over,
});

let bakes: BakeLedger;
let ledger: LedgerPort;
const db = useDynamoDB({ tables: { idempotency: 'bake-ledger-test-idem', ledger: TABLE } });
beforeAll(() => {
  bakes = createBakeLedger(db.client, TABLE);
  ledger = createLedgerGateway(db.client, TABLE);
});

describe('bake ledger', () => {
  it('keeps one bake per service, findable under each alarm watching it', async () => {
    const arn = freshArn();
    const record = bake(arn, { alarms: [`p99-${n}`, `5xx-${n}`], ownAlarm: `5xx-${n}` });
    await bakes.recordBake(record);
    expect(await bakes.getBake(arn)).toEqual(record);
    expect(await bakes.listBakesByAlarm('111122223333', 'us-east-1', `p99-${n}`)).toEqual([record]);
    expect(await bakes.listBakesByAlarm('111122223333', 'us-east-1', `5xx-${n}`)).toEqual([record]);
    expect(await bakes.listBakesByAlarm('111122223333', 'eu-west-1', `p99-${n}`)).toEqual([]);
  });

  it('an alarm no longer watched by the next bake finds it no more; removing the bake removes every copy', async () => {
    const arn = freshArn();
    const [old, kept] = [`old-${n}`, `kept-${n}`];
    await bakes.recordBake(bake(arn, { alarms: [old, kept] }));
    await bakes.recordBake(
      bake(arn, { alarms: [kept], status: 'promoted', endedAt: '2026-11-20T14:33:10.000Z' }),
    );
    expect(await bakes.listBakesByAlarm('111122223333', 'us-east-1', old)).toEqual([]);
    expect(await bakes.listBakesByAlarm('111122223333', 'us-east-1', kept)).toMatchObject([
      { status: 'promoted' },
    ]);
    await bakes.removeBake(arn);
    expect(await bakes.getBake(arn)).toBeUndefined();
    expect(await bakes.listBakesByAlarm('111122223333', 'us-east-1', kept)).toEqual([]);
  });

  it('a candidate release is promoted once; a known-good one or an unknown digest is not', async () => {
    const arn = freshArn();
    const release = {
      serviceArn: arn,
      imageIdentifier: `${REPO}:latest`,
      repository: REPO,
      time: '2026-11-20T14:03:10Z',
      eventId: 'ev-1',
    };
    await ledger.recordRelease({ ...release, digest: digest('a') }, { historyLimit: 20 });
    await ledger.recordRelease(
      { ...release, digest: digest('c'), time: '2026-11-20T15:00:00Z', state: 'candidate' },
      { historyLimit: 20 },
    );
    expect((await ledger.listReleases(arn)).map((r) => r.state)).toEqual(['candidate', undefined]);
    expect(await ledger.promoteRelease(arn, digest('c'), '2026-11-20T15:30:00Z')).toBe(true);
    expect(await ledger.promoteRelease(arn, digest('c'), '2026-11-20T15:31:00Z')).toBe(false);
    expect(await ledger.promoteRelease(arn, digest('a'), '2026-11-20T15:31:00Z')).toBe(false);
    expect(await ledger.promoteRelease(arn, digest('f'), '2026-11-20T15:31:00Z')).toBe(false);
    const [promoted] = await ledger.listReleases(arn);
    expect(promoted).toMatchObject({ digest: digest('c'), promotedAt: '2026-11-20T15:30:00.000Z' });
    expect(promoted!.state).toBeUndefined();
  });
});
