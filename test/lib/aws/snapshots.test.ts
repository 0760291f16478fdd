import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { servicePartitionKey } from '../../../lib/aws/keys.ts';
import {
  boundSnapshot,
  createSnapshotStore,
  MAX_SNAPSHOT_BYTES,
  SNAPSHOT_RETENTION_DAYS,
  type SnapshotStore,
} from '../../../lib/aws/snapshots.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';

let store: SnapshotStore;
const LEDGER = 'snapshots-ledger';
const AT = new Date('2026-11-20T14:05:00.000Z');
const arn = () =>
  `arn:aws:apprunner:us-east-1:111122223333:service/batch-worker/${crypto.randomUUID().replaceAll('-', '')}`;

const db = useDynamoDB({ tables: { idempotency: 'snapshots-idem', ledger: LEDGER } });
beforeAll(async () => {
  store = createSnapshotStore(db.client, LEDGER);
});

describe('boundSnapshot', () => {
  it('keeps a normal snapshot whole', () => {
    const body = { service: { name: 'x' }, operations: [{ id: '1' }] };
    expect(boundSnapshot(body)).toEqual({ json: JSON.stringify(body), truncated: false });
  });

  it('cuts long strings first, and says so', () => {
    const out = boundSnapshot({ event: { message: 'm'.repeat(5_000) }, name: 'svc' }, 2_000);
    expect(out.truncated).toBe(true);
    const parsed = JSON.parse(out.json);
    expect(parsed.truncated).toBe(true);
    expect(parsed.name).toBe('svc');
    expect(parsed.event.message).toHaveLength(1024);
    expect(parsed.event.message).toMatch(/^m+… \[cut \d+ chars\]$/);
  });

  it('then cuts arrays to their first five entries', () => {
    const operations = Array.from({ length: 50 }, (_, i) => ({ id: `op-${i}`, pad: 'p'.repeat(900) }));
    const out = boundSnapshot({ operations, name: 'svc' }, 8_000);
    const parsed = JSON.parse(out.json);
    expect(parsed.operations.map((o: { id: string }) => o.id)).toEqual([
      'op-0',
      'op-1',
      'op-2',
      'op-3',
      'op-4',
    ]);
    expect(Buffer.byteLength(out.json)).toBeLessThanOrEqual(8_000);
  });

  it('as a last resort keeps only the top-level scalars', () => {
    const out = boundSnapshot({ name: 'svc', blob: { a: 'x'.repeat(900), b: 'y'.repeat(900) } }, 600);
    expect(JSON.parse(out.json)).toEqual({ name: 'svc', truncated: true });
  });

  it('never exceeds the bound, even for absurd input', () => {
    const huge = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, 'v'.repeat(1_000)]));
    const out = boundSnapshot(huge);
    expect(Buffer.byteLength(out.json)).toBeLessThanOrEqual(MAX_SNAPSHOT_BYTES);
    expect(out.truncated).toBe(true);
  });
});

describe('snapshot store on dynalite', () => {
  it('stores a snapshot in the service partition under a key naming its time, expiring after the retention', async () => {
    const serviceArn = arn();
    const saved = await store.saveSnapshot({
      serviceArn,
      at: AT,
      trigger: 'evt-1',
      body: { service: { status: 'CREATE_FAILED' } },
    });
    expect(saved).toMatchObject({ truncated: false });
    // The key is reported in alerts and results: a human can tell when the snapshot was taken.
    expect(saved.key).toContain('2026-11-20T14:05:00.000Z');
    const raw = await db.client.send(
      new GetItemCommand({
        TableName: LEDGER,
        Key: { pk: { S: servicePartitionKey(serviceArn) }, sk: { S: saved.key } },
      }),
    );
    expect(raw.Item?.expiresAt?.N).toBe(String(AT.getTime() / 1000 + SNAPSHOT_RETENTION_DAYS * 86_400));
    expect(await store.getSnapshot(serviceArn, saved.key)).toEqual({
      key: saved.key,
      body: { service: { status: 'CREATE_FAILED' } },
      truncated: false,
      trigger: 'evt-1',
    });
  });

  it('keeps the first snapshot when another is taken at the same time (retries are harmless)', async () => {
    const serviceArn = arn();
    await store.saveSnapshot({ serviceArn, at: AT, trigger: 'evt-1', body: { n: 1 } });
    const again = await store.saveSnapshot({ serviceArn, at: AT, trigger: 'evt-1', body: { n: 2 } });
    expect((await store.getSnapshot(serviceArn, again.key))?.body).toEqual({ n: 1 });
  });

  it('stores an oversized snapshot truncated and flagged', async () => {
    const serviceArn = arn();
    const saved = await store.saveSnapshot({
      serviceArn,
      at: AT,
      trigger: 'evt-1',
      body: { event: { message: 'x'.repeat(500_000) } },
    });
    expect(saved.truncated).toBe(true);
    expect(saved.bytes).toBeLessThanOrEqual(MAX_SNAPSHOT_BYTES);
    expect((await store.getSnapshot(serviceArn, saved.key))?.truncated).toBe(true);
  });

  it('returns undefined for a missing snapshot', async () => {
    const serviceArn = arn();
    const saved = await store.saveSnapshot({ serviceArn, at: AT, trigger: 'evt-1', body: { n: 1 } });
    expect(await store.getSnapshot(arn(), saved.key)).toBeUndefined();
    expect(await store.getSnapshot(serviceArn, `${saved.key}-other`)).toBeUndefined();
  });

  it('claims once: the owner may claim again (a retry), anyone else may not', async () => {
    const pk = { serviceArn: arn() };
    expect(await store.claimOwner(pk, 'schedule#CREATE_FAILED#0')).toBeUndefined();
    expect(await store.claim(pk, 'schedule#CREATE_FAILED#0', 'evt-a', AT)).toBe(true);
    expect(await store.claim(pk, 'schedule#CREATE_FAILED#0', 'evt-a', AT)).toBe(true);
    expect(await store.claim(pk, 'schedule#CREATE_FAILED#0', 'evt-b', AT)).toBe(false);
    expect(await store.claimOwner(pk, 'schedule#CREATE_FAILED#0')).toBe('evt-a');
    expect(await store.claim(pk, 'give-up', 'evt-b', AT)).toBe(true);
  });

  it('lets exactly one of concurrent claimants win', async () => {
    const pk = { account: '111122223333', region: 'us-east-1' };
    const claim = `quota#${crypto.randomUUID()}`;
    const wins = await Promise.all(['a', 'b', 'c', 'd'].map((o) => store.claim(pk, claim, o, AT)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('keeps a service claim and a fleet claim of the same name apart', async () => {
    const claim = `quota#${crypto.randomUUID()}`;
    expect(await store.claim({ serviceArn: arn() }, claim, 'a', AT)).toBe(true);
    expect(await store.claim({ account: '111122223333', region: 'us-east-1' }, claim, 'b', AT)).toBe(true);
  });

  it('counts deletion attempts and never lowers the count', async () => {
    const serviceArn = arn();
    expect(await store.deletionAttempts(serviceArn)).toBe(0);
    await store.recordDeletionAttempt(serviceArn, 1, AT);
    await store.recordDeletionAttempt(serviceArn, 2, AT);
    await store.recordDeletionAttempt(serviceArn, 1, AT);
    expect(await store.deletionAttempts(serviceArn)).toBe(2);
  });
});
