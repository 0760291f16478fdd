import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLedgerGateway, type LedgerPort } from '../../lib/aws/ledger.ts';
import {
  BAD,
  D,
  DIGEST_PIN,
  type FakeService,
  fakeService,
  GOOD,
  installFakes,
  REPO,
} from '../lib/rollback/fakes.ts';
import { useDynamoDB } from '../support/dynamodb.ts';
import { runGuard } from './support.ts';

let ledger: LedgerPort;
const fakes = installFakes();
const OLDER = D('9');
const SAVED_ENDPOINT = process.env.AWS_ENDPOINT_URL_DYNAMODB;

const db = useDynamoDB({ tables: { idempotency: 'cli-idem', ledger: 'cli-ledger' } });
beforeAll(async () => {
  ledger = createLedgerGateway(db.client, 'cli-ledger');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
});
afterAll(async () => {
  if (SAVED_ENDPOINT === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  else process.env.AWS_ENDPOINT_URL_DYNAMODB = SAVED_ENDPOINT;
});
beforeEach(() => fakes.reset());

function run(args: string[], env: Record<string, string | undefined> = {}) {
  return runGuard(['rollback', ...args], {
    LEDGER_TABLE: 'cli-ledger',
    EVENT_BUS_NAME: 'default',
    AWS_REGION: 'us-east-1',
    USER: 'alice',
    ...env,
  });
}

async function serviceWithHistory(over: Partial<FakeService> = {}) {
  const svc = fakes.add(fakeService(over));
  for (const [digest, time] of [
    [OLDER, '2026-11-19T12:00:00Z'],
    [GOOD, '2026-11-20T12:00:00Z'],
  ] as const) {
    await ledger.recordRelease(
      {
        serviceArn: svc.arn,
        imageIdentifier: `${REPO}:latest`,
        repository: REPO,
        digest,
        time,
        eventId: `ev-${time}`,
      },
      { historyLimit: 20 },
    );
  }
  return svc;
}

describe('guard rollback', () => {
  it('by name: pins the newest known-good digest other than the current one, prints the plan, publishes', async () => {
    const svc = await serviceWithHistory({ image: `${REPO}@${GOOD}` });
    const { code, out } = await run([svc.name]);
    expect(code).toBe(0);
    expect(fakes.state.updates).toEqual([{ arn: svc.arn, image: `${REPO}@${OLDER}` }]);
    expect(fakes.state.updates[0]!.image).toMatch(DIGEST_PIN);
    expect(out).toContain(`pin-image → ${REPO}@${OLDER}`);
    expect(out).toMatch(/outcome\s+acted/);
    expect((await ledger.listQuarantined(svc.arn)).map((q) => q.digest)).toEqual([GOOD]);
    expect(await ledger.listRollbacks(svc.arn)).toMatchObject([
      { kind: 'manual', trigger: expect.stringMatching(/^manual:alice@/) },
    ]);
    expect(fakes.publishedFor(svc.arn)).toMatchObject([
      { detailType: 'Rollback Completed', detail: { details: { manual: true } } },
    ]);
  });

  it('--to a known-good digest, by ARN', async () => {
    const svc = await serviceWithHistory();
    fakes.state.tags.set(`${REPO}:latest`, { digest: BAD });
    const { code } = await run([svc.arn, '--to', OLDER]);
    expect(code).toBe(0);
    expect(fakes.state.updates.map((u) => u.image)).toEqual([`${REPO}@${OLDER}`]);
  });

  it('refuses a --to digest the ledger does not know, unless --force', async () => {
    const svc = await serviceWithHistory({ image: `${REPO}@${GOOD}` });
    const refused = await run([svc.arn, '--to', D('e')]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/--force/);
    expect(fakes.state.updates).toEqual([]);
    const forced = await run([svc.arn, '--to', D('e'), '--force']);
    expect(forced.code).toBe(0);
    expect(fakes.state.updates.map((u) => u.image)).toEqual([`${REPO}@${D('e')}`]);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const svc = await serviceWithHistory({ image: `${REPO}@${GOOD}` });
    const { code, out } = await run([svc.name, '--dry-run']);
    expect(code).toBe(0);
    expect(out).toMatch(/dry run: would pin/);
    expect(fakes.state.updates).toEqual([]);
    expect(await ledger.listRollbacks(svc.arn)).toEqual([]);
    expect(fakes.publishedFor(svc.arn)).toMatchObject([{ detail: { dryRun: true } }]);
  });

  it('refuses a tag as --to', async () => {
    const { code, err } = await run(['payments', '--to', 'latest']);
    expect(code).toBe(2);
    expect(err).toMatch(/never a tag/);
  });

  it('names the missing settings', async () => {
    const { code, err } = await run(['payments'], {
      LEDGER_TABLE: undefined,
      EVENT_BUS_NAME: undefined,
      AWS_REGION: undefined,
    });
    expect(code).toBe(2);
    expect(err).toContain('LEDGER_TABLE is required');
    expect(err).toContain('EVENT_BUS_NAME is required');
    expect(err).toContain('AWS_REGION is required');
    expect(fakes.state.updates).toEqual([]);
  });

  it('says when the service does not exist', async () => {
    const { code, err } = await run(['nope-service']);
    expect(code).toBe(1);
    expect(err).toMatch(/no App Runner service "nope-service"/);
  });
});
