import { describe, expect, it } from 'vitest';
import { createPauseMarkerStore } from '../../../lib/aws/pause-markers.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';

const TABLE = 'pause-markers-test';
const db = useDynamoDB({ tables: { idempotency: 'pause-markers-test-idem', ledger: TABLE } });
const arn = (account: string, region: string, name: string) =>
  `arn:aws:apprunner:${region}:${account}:service/${name}/${'a'.repeat(32)}`;
const WEB = arn('111122223333', 'us-east-1', 'checkout-web');
const API = arn('111122223333', 'us-east-1', 'orders-api');
const SPOKE = arn('222233334444', 'eu-west-1', 'orders-api');
const MARKER = 'schedule/office-hours@2026-11-20T19:00:00.000Z';

describe('the pause markers in the ledger', () => {
  it("reads one service's marker, and a target's markers without the other targets'", async () => {
    const markers = createPauseMarkerStore(db.client, TABLE);
    await markers.putMany([WEB, SPOKE], MARKER);
    expect(await markers.get(WEB)).toBe(MARKER);
    expect(await markers.get(API)).toBeUndefined();
    expect(await markers.list({ account: '111122223333', region: 'us-east-1' })).toEqual(
      new Map([[WEB, MARKER]]),
    );
    await markers.remove(WEB);
    expect(await markers.get(WEB)).toBeUndefined();
    expect(await markers.get(SPOKE)).toBe(MARKER);
  });
});
