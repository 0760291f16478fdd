import { beforeAll, describe, expect, it } from 'vitest';
import {
  createLedgerGateway,
  isoTime,
  type LedgerPort,
  type ReleaseRecord,
} from '../../../lib/aws/ledger.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';

let ledger: LedgerPort;
const TABLE = 'ledger-test';
const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
let n = 0;
const freshArn = () =>
  `arn:aws:apprunner:us-east-1:111122223333:service/svc-${++n}/${String(n).padStart(32, '0')}`;

function release(arn: string, d: string, time: string, eventId = `ev-${time}`): ReleaseRecord {
  return {
    serviceArn: arn,
    imageIdentifier: `${REPO}:latest`,
    repository: REPO,
    digest: d,
    time,
    eventId,
  };
}

const db = useDynamoDB({ tables: { idempotency: 'ledger-test-idem', ledger: TABLE } });
beforeAll(async () => {
  ledger = createLedgerGateway(db.client, TABLE);
});

describe('release ledger', () => {
  it('lists releases newest first', async () => {
    const arn = freshArn();
    await ledger.recordRelease(release(arn, digest('a'), '2026-11-20T10:00:00Z'), { historyLimit: 20 });
    await ledger.recordRelease(release(arn, digest('b'), '2026-11-20T12:00:00Z'), { historyLimit: 20 });
    await ledger.recordRelease(release(arn, digest('c'), '2026-11-20T11:00:00Z'), { historyLimit: 20 });
    const list = await ledger.listReleases(arn);
    expect(list.map((r) => r.digest)).toEqual([digest('b'), digest('c'), digest('a')]);
    expect(list[0]).toEqual({
      ...release(arn, digest('b'), '2026-11-20T12:00:00.000Z', 'ev-2026-11-20T12:00:00Z'),
    });
  });

  it('keeps one entry per digest: the same event twice is harmless, a later success moves it forward', async () => {
    const arn = freshArn();
    const first = release(arn, digest('a'), '2026-11-20T10:00:00Z');
    expect((await ledger.recordRelease(first, { historyLimit: 20 })).status).toBe('created');
    expect((await ledger.recordRelease(first, { historyLimit: 20 })).status).toBe('unchanged');
    await ledger.recordRelease(release(arn, digest('b'), '2026-11-20T11:00:00Z'), { historyLimit: 20 });
    const again = release(arn, digest('a'), '2026-11-20T12:00:00Z', 'ev-later');
    expect((await ledger.recordRelease(again, { historyLimit: 20 })).status).toBe('refreshed');
    const list = await ledger.listReleases(arn);
    expect(list.map((r) => [r.digest, r.eventId])).toEqual([
      [digest('a'), 'ev-later'],
      [digest('b'), 'ev-2026-11-20T11:00:00Z'],
    ]);
  });

  it('ignores an out-of-order older success of a digest it already has at a newer time', async () => {
    const arn = freshArn();
    await ledger.recordRelease(release(arn, digest('a'), '2026-11-20T12:00:00Z'), { historyLimit: 20 });
    const out = await ledger.recordRelease(release(arn, digest('a'), '2026-11-20T09:00:00Z'), {
      historyLimit: 20,
    });
    expect(out.status).toBe('unchanged');
    expect((await ledger.listReleases(arn)).map((r) => r.time)).toEqual(['2026-11-20T12:00:00.000Z']);
  });

  it('keeps a bounded history per service', async () => {
    const arn = freshArn();
    const other = freshArn();
    await ledger.recordRelease(release(other, digest('f'), '2026-11-20T08:00:00Z'), { historyLimit: 3 });
    for (const [i, c] of ['a', 'b', 'c', 'd', 'e'].entries()) {
      await ledger.recordRelease(release(arn, digest(c), `2026-11-20T1${i}:00:00Z`), { historyLimit: 3 });
    }
    expect((await ledger.listReleases(arn)).map((r) => r.digest)).toEqual([
      digest('e'),
      digest('d'),
      digest('c'),
    ]);
    expect((await ledger.listReleases(other)).map((r) => r.digest)).toEqual([digest('f')]);
  });

  it('quarantines digests and lifts a quarantine', async () => {
    const arn = freshArn();
    await ledger.quarantine({
      serviceArn: arn,
      digest: digest('b'),
      time: '2026-11-20T12:00:00Z',
      reason: 'deployment failed',
      trigger: 'ev-1',
    });
    await ledger.quarantine({
      serviceArn: arn,
      digest: digest('b'),
      time: '2026-11-20T12:00:00Z',
      reason: 'deployment failed',
      trigger: 'ev-1',
    });
    expect((await ledger.listQuarantined(arn)).map((q) => q.digest)).toEqual([digest('b')]);
    expect(await ledger.liftQuarantine(arn, digest('b'))).toBe(true);
    expect(await ledger.liftQuarantine(arn, digest('b'))).toBe(false);
    expect(await ledger.listQuarantined(arn)).toEqual([]);
  });

  it('records rollbacks newest first, overwriting the same trigger at the same time', async () => {
    const arn = freshArn();
    const base = {
      serviceArn: arn,
      kind: 'automatic' as const,
      fromImage: `${REPO}:latest`,
      fromDigest: digest('b'),
      toImage: `${REPO}@${digest('a')}`,
      toDigest: digest('a'),
    };
    await ledger.recordRollback({
      ...base,
      time: '2026-11-20T12:00:00Z',
      trigger: 'ev-1',
      status: 'pending',
    });
    await ledger.recordRollback({
      ...base,
      time: '2026-11-20T12:00:00Z',
      trigger: 'ev-1',
      status: 'started',
      operationId: 'op-1',
    });
    await ledger.recordRollback({
      ...base,
      time: '2026-11-20T13:00:00Z',
      trigger: 'ev-2',
      status: 'started',
    });
    const list = await ledger.listRollbacks(arn);
    expect(list.map((r) => [r.trigger, r.status, r.operationId])).toEqual([
      ['ev-2', 'started', undefined],
      ['ev-1', 'started', 'op-1'],
    ]);
    expect(list[1]).toMatchObject({ fromDigest: digest('b'), toImage: `${REPO}@${digest('a')}` });
  });

  it('keeps the kinds apart in one partition', async () => {
    const arn = freshArn();
    await ledger.recordRelease(release(arn, digest('a'), '2026-11-20T10:00:00Z'), { historyLimit: 20 });
    await ledger.quarantine({
      serviceArn: arn,
      digest: digest('b'),
      time: '2026-11-20T11:00:00Z',
      reason: 'x',
      trigger: 't',
    });
    expect(await ledger.listReleases(arn)).toHaveLength(1);
    expect(await ledger.listRollbacks(arn)).toEqual([]);
  });

  it('normalizes times to sortable ISO strings', () => {
    expect(isoTime('2026-11-20T14:03:10Z')).toBe('2026-11-20T14:03:10.000Z');
    expect(() => isoTime('yesterday')).toThrow('not a time');
  });
});
