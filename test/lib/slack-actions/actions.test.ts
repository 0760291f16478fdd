/**
 * Slack actions end to end, in process: the endpoint (verify → parse → authorise → hand over),
 * the hand-off event, the slack-actions job on dynalite idempotency, and the deletion schedule
 * that must then keep the service.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIdempotencyStore } from '../../../lib/aws/idempotency.ts';
import { runScheduledDeletion } from '../../../lib/cleanup/scheduled-deletion.ts';
import { GUARD_DETAIL_TYPES } from '../../../lib/core/guard-event.ts';
import type { PinRecord } from '../../../lib/core/ports/release-ledger.ts';
import type { WakeUpRequest } from '../../../lib/core/ports/wake-ups.ts';
import type { SlackActionAllowlist } from '../../../lib/slack-actions/authorize.ts';
import { createSlackActionEndpoint } from '../../../lib/slack-actions/endpoint.ts';
import { createHandler } from '../../../lib/slack-actions/job.ts';
import {
  SLACK_ACTION_REQUESTED,
  SLACK_ACTION_SOURCE,
  type SlackActionRequested,
  slackActionRequestedDetail,
} from '../../../lib/slack-actions/requested.ts';
import { TAGS } from '../../../lib/tags.ts';
import { inMemoryAppRunner } from '../../support/app-runner.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';
import { ACCOUNT_ID, hubTargets, lambdaContext, REGION } from '../../support/env.ts';
import {
  actionPayload,
  formBody,
  memoryPublisher,
  NOW,
  NOW_S,
  SERVICE_ARN,
  SERVICE_NAME,
  SIGNING_SECRET,
  signedHeaders,
} from './support.ts';

const TABLES = { idempotency: 'slack-actions-idempotency', ledger: 'slack-actions-ledger' };
const db = useDynamoDB({ tables: TABLES });
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

const allowlist: SlackActionAllowlist = {
  'keep-service': ['U0ONCALL'],
  'keep-running': ['U0ONCALL'],
  rollback: ['U0ONCALL'],
  'release-pin': ['U0ONCALL'],
};

const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout';
const PINNED = `${REPO}@sha256:${'a'.repeat(64)}`;
const FIX = `sha256:${'c'.repeat(64)}`;
const PIN: PinRecord = {
  serviceArn: SERVICE_ARN,
  replacedImage: `${REPO}:latest`,
  repository: REPO,
  tag: 'latest',
  autoDeploymentsEnabled: true,
  failedDigest: `sha256:${'b'.repeat(64)}`,
  pinnedImage: PINNED,
  pinnedDigest: `sha256:${'a'.repeat(64)}`,
  time: '2026-11-30T14:00:00Z',
  reason: 'deployment failed',
  trigger: 'e-1',
};

function setup(
  status = 'CREATE_FAILED',
  tags: Record<string, string> = {},
  options: {
    pin?: PinRecord;
    image?: string;
    deployed?: Record<string, unknown>;
    wakeUpsFail?: boolean;
  } = {},
) {
  const appRunner = inMemoryAppRunner([
    {
      arn: SERVICE_ARN,
      name: SERVICE_NAME,
      status,
      tags: { ...tags },
      ...(options.image ? { image: options.image } : {}),
    },
  ]);
  let pin = options.pin;
  const ledger = {
    getPin: async () => pin,
    listQuarantined: async () => [],
    removePin: async () => {
      const had = pin !== undefined;
      pin = undefined;
      return had;
    },
    // What a pin was released to is kept for the rollback (lib/fix-forward/release.ts).
    recordPinRelease: async () => {},
  };
  const publisher = memoryPublisher();
  const handedOver: SlackActionRequested[] = [];
  const endpoint = createSlackActionEndpoint({
    logger,
    signingSecret: { get: async () => SIGNING_SECRET },
    allowlist,
    groups: undefined,
    requests: { submit: async (r) => void handedOver.push(r) },
    publisher,
    targets: hubTargets(),
    maxBodyBytes: 16 * 1024,
    now: () => NOW,
  });
  const unused = () => {
    throw new Error('not used by this test');
  };
  // The stack's recurring schedules by name (their input, as infra/schedules.cjs deploys it).
  const deployed = options.deployed ?? {};
  const wakes: WakeUpRequest[] = [];
  const job = createHandler({
    logger,
    idempotency: createIdempotencyStore(db.client, TABLES.idempotency),
    onReject: async () => {},
    targets: hubTargets(),
    ports: {
      appRunner: appRunner.port,
      images: { resolve: async () => ({ kind: 'resolved', digest: FIX }) } as never,
      ledger: new Proxy(ledger, {
        get: (target, key) => (key in target ? target[key as keyof typeof target] : unused),
      }) as never,
      publisher: publisher as never,
    },
    rollback: { dryRun: false },
    fixForward: { dryRun: false },
    markers: appRunner.markers,
    deployedSchedules: {
      get: async (name) =>
        name in deployed
          ? { name, expression: 'cron(0 20 * * ? *)', input: JSON.stringify(deployed[name]) }
          : undefined,
    },
    wakeUps: {
      wakeAt: async (r) => {
        if (options.wakeUpsFail) throw new Error('Scheduler unavailable');
        wakes.push(r);
        return { name: `wake-${r.key}`, at: r.at, created: true, clamped: false };
      },
    },
    now: () => NOW,
  });
  /** Delivers every handed-over request to the job, as the bus rule would. */
  const deliver = async () => {
    const results = [];
    for (const r of handedOver.splice(0)) {
      const event = {
        version: '0',
        id: crypto.randomUUID(),
        source: SLACK_ACTION_SOURCE,
        'detail-type': SLACK_ACTION_REQUESTED,
        account: ACCOUNT_ID,
        region: REGION,
        time: NOW.toISOString(),
        resources: [],
        detail: JSON.parse(JSON.stringify(slackActionRequestedDetail(r))),
      };
      results.push(await job(event, lambdaContext() as unknown as Context));
    }
    return results;
  };
  const post = (body: string, headers = signedHeaders(body)) =>
    endpoint({ headers, body, requestContext: { http: { method: 'POST' } } });
  return { appRunner, publisher, handedOver, deliver, post, pin: () => pin, wakes };
}

let seq = 0;
const fresh = () => `${NOW_S}.${String(++seq).padStart(6, '0')}`;

describe('Slack actions', () => {
  beforeEach(() => {
    seq += 100;
  });

  it('an authorised Keep this service is acknowledged at once, then keeps the service through its deletion', async () => {
    const s = setup('CREATE_FAILED');
    const res = await s.post(formBody(actionPayload({ actionTs: fresh() })));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('keep checkout-api'),
    });
    // Acknowledged before anything changed: the work is the job's.
    expect(s.appRunner.changes).toEqual([]);

    const [result] = await s.deliver();
    expect(result).toMatchObject({ outcome: 'acted', action: 'keep-service', slackUser: 'U0ONCALL' });
    expect(s.appRunner.services[0]!.tags[TAGS.cleanup]).toBe('off');
    const audit = s.publisher.published.find((p) => p.detailType === GUARD_DETAIL_TYPES.slackActionTaken);
    expect(audit?.detail).toMatchObject({
      job: 'slack-actions',
      outcome: 'acted',
      action: 'keep-service',
      details: expect.objectContaining({ slackUser: 'U0ONCALL', slackUserName: 'oncall.engineer' }),
    });

    // The deletion schedule fires after the grace period: the service is kept, not deleted.
    const deletion = await runScheduledDeletion(
      { serviceArn: SERVICE_ARN, scheduledTime: '2026-12-01T15:00:00Z', attempt: 0 },
      {
        appRunner: s.appRunner.port,
        scheduler: {} as never,
        snapshots: { deletionAttempts: async () => 0, claim: async () => true } as never,
        publisher: s.publisher as never,
        settings: { graceMinutes: 1440, maxDeleteAttempts: 5, serviceQuota: 30, dryRun: false },
        wakeUps: {} as never,
        targets: {} as never,
      },
    );
    expect(deletion.outcome).toBe('skipped');
    expect(s.appRunner.changes.some((c) => c.startsWith('delete'))).toBe(false);
    expect(s.publisher.published.map((p) => p.detailType)).toContain(GUARD_DETAIL_TYPES.serviceKept);
  });

  it('without the action the same deletion schedule deletes the service (the test above can fail)', async () => {
    const s = setup('CREATE_FAILED');
    const deletion = await runScheduledDeletion(
      { serviceArn: SERVICE_ARN, scheduledTime: '2026-12-01T15:00:00Z', attempt: 0 },
      {
        appRunner: s.appRunner.port,
        scheduler: {} as never,
        snapshots: {
          deletionAttempts: async () => 0,
          saveSnapshot: async () => ({ key: 'snapshot#x', truncated: false, bytes: 1 }),
          recordDeletionAttempt: async () => {},
        } as never,
        publisher: s.publisher as never,
        settings: { graceMinutes: 1440, maxDeleteAttempts: 5, serviceQuota: 30, dryRun: false },
        wakeUps: {} as never,
        targets: {} as never,
      },
    );
    expect(deletion.outcome).toBe('acted');
    expect(s.appRunner.changes).toContain(`delete ${SERVICE_NAME}`);
  });

  it('a replayed click (the same signed request twice) takes effect once', async () => {
    const s = setup('CREATE_FAILED');
    const body = formBody(actionPayload({ actionTs: fresh() }));
    expect((await s.post(body)).statusCode).toBe(200);
    expect((await s.post(body)).statusCode).toBe(200);
    const results = await s.deliver();
    expect(results).toHaveLength(2);
    expect(results[1]).toEqual(results[0]);
    expect(s.appRunner.changes.filter((c) => c.startsWith('tag'))).toHaveLength(1);
    expect(
      s.publisher.published.filter((p) => p.detailType === GUARD_DETAIL_TYPES.slackActionTaken),
    ).toHaveLength(1);
  });

  describe('refused requests change nothing', () => {
    const body = () => formBody(actionPayload({ actionTs: fresh() }));
    it.each([
      ['forged (another secret)', (b: string) => signedHeaders(b, NOW_S, 'forged-secret'), 401],
      ['unsigned', (b: string) => ({ ...signedHeaders(b), 'x-slack-signature': '' }), 401],
      ['stale (6 minutes old)', (b: string) => signedHeaders(b, NOW_S - 360), 401],
      ['future-skewed (6 minutes ahead)', (b: string) => signedHeaders(b, NOW_S + 360), 401],
    ])('%s → %i', async (_, headers, status) => {
      const s = setup('CREATE_FAILED');
      const b = body();
      const res = await s.post(b, headers(b));
      expect(res.statusCode).toBe(status);
      expect(s.handedOver).toEqual([]);
      expect(s.publisher.published).toEqual([]);
      expect(s.appRunner.changes).toEqual([]);
    });

    it('oversized → 413', async () => {
      const s = setup();
      const b = formBody({ ...actionPayload(), padding: 'x'.repeat(20_000) });
      expect((await s.post(b)).statusCode).toBe(413);
      expect(s.handedOver).toEqual([]);
    });

    it('unknown action id → 400', async () => {
      const s = setup();
      const res = await s.post(formBody(actionPayload({ action: 'delete-service' })));
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).error).toContain('not a guard action');
      expect(s.handedOver).toEqual([]);
    });

    it('a service of another account → 400', async () => {
      const s = setup();
      const other = SERVICE_ARN.replace('111122223333', '999988887777');
      expect((await s.post(formBody(actionPayload({ service: other })))).statusCode).toBe(400);
      expect(s.handedOver).toEqual([]);
    });

    it('not a POST → 405', async () => {
      const s = setup();
      const res = await createSlackActionEndpointGet(s);
      expect(res.statusCode).toBe(405);
    });

    it('an unauthorised user is told why not, the refusal is audited, and nothing changes', async () => {
      const s = setup('CREATE_FAILED');
      const res = await s.post(formBody(actionPayload({ user: 'U0INTRUDER', actionTs: fresh() })));
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringContaining('not allowed to keep-service'),
      });
      expect(s.handedOver).toEqual([]);
      expect(s.appRunner.changes).toEqual([]);
      expect(s.publisher.published).toEqual([
        expect.objectContaining({
          detailType: GUARD_DETAIL_TYPES.slackActionRefused,
          detail: expect.objectContaining({
            outcome: 'skipped',
            details: expect.objectContaining({ slackUser: 'U0INTRUDER' }),
          }),
        }),
      ]);
    });

    it('a hand-off that fails → 503, nothing changed', async () => {
      const s = setup();
      const endpoint = createSlackActionEndpoint({
        logger,
        signingSecret: { get: async () => SIGNING_SECRET },
        allowlist,
        groups: undefined,
        requests: { submit: async () => Promise.reject(new Error('PutEvents throttled')) },
        publisher: s.publisher,
        targets: hubTargets(),
        maxBodyBytes: 16 * 1024,
        now: () => NOW,
      });
      const b = formBody(actionPayload({ actionTs: fresh() }));
      expect((await endpoint({ headers: signedHeaders(b), body: b })).statusCode).toBe(503);
    });
  });

  it('a base64-encoded body (as a Function URL may pass it) verifies against its bytes', async () => {
    const s = setup('CREATE_FAILED');
    const b = formBody(actionPayload({ actionTs: fresh() }));
    const endpoint = createSlackActionEndpoint({
      logger,
      signingSecret: { get: async () => SIGNING_SECRET },
      allowlist,
      groups: undefined,
      requests: { submit: async (r) => void s.handedOver.push(r) },
      publisher: s.publisher,
      targets: hubTargets(),
      maxBodyBytes: 16 * 1024,
      now: () => NOW,
    });
    const res = await endpoint({
      headers: signedHeaders(b),
      body: Buffer.from(b).toString('base64'),
      isBase64Encoded: true,
    });
    expect(res.statusCode).toBe(200);
    expect(s.handedOver).toHaveLength(1);
  });

  it('Keep running until… sets the override on a running service', async () => {
    const s = setup('RUNNING');
    await s.post(
      formBody(actionPayload({ action: 'keep-running', until: '2026-11-30T22:00:00Z', actionTs: fresh() })),
    );
    const [result] = await s.deliver();
    expect(result).toMatchObject({ outcome: 'acted' });
    expect(s.appRunner.services[0]!.tags[TAGS.overrideUntil]).toBe('2026-11-30T22:00:00.000Z');
    expect(s.appRunner.changes.some((c) => c.startsWith('resume'))).toBe(false);
  });

  it('Keep running until… resumes a service the schedule already paused, with the override', async () => {
    const s = setup('PAUSED', { [TAGS.pausedBy]: 'schedule/office-hours@2026-11-30T14:45:00.000Z' });
    await s.post(
      formBody(actionPayload({ action: 'keep-running', until: '2026-11-30T22:00:00Z', actionTs: fresh() })),
    );
    const [result] = await s.deliver();
    expect(result).toMatchObject({ outcome: 'acted' });
    const svc = s.appRunner.services[0]!;
    expect(svc.status).toBe('RUNNING');
    expect(svc.tags[TAGS.overrideUntil]).toBe('2026-11-30T22:00:00.000Z');
    expect(svc.tags[TAGS.pausedBy]).toBeUndefined();
    expect(svc.tags[TAGS.lastAction]).toContain('by Slack user U0ONCALL');
  });

  describe('Keep running until… on a service its schedule paused', () => {
    // office-hours pauses at 20:00 and resumes at 07:00 Berlin; at 22:00Z it wants the service paused.
    const OFFICE_HOURS = {
      action: 'pause',
      schedule: 'office-hours',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      definition: {
        timezone: 'Europe/Berlin',
        pause: 'cron(0 20 * * ? *)',
        resume: 'cron(0 7 * * ? *)',
        skipDates: [],
      },
    };
    const MARKER = 'schedule/office-hours@2026-11-30T14:45:00.000Z';
    const click = async (s: ReturnType<typeof setup>) => {
      await s.post(
        formBody(actionPayload({ action: 'keep-running', until: '2026-11-30T22:00:00Z', actionTs: fresh() })),
      );
      return s.deliver();
    };

    it('resumes it, removes the ledger marker and wakes at the end to pause it again', async () => {
      const s = setup(
        'PAUSED',
        { [TAGS.schedule]: 'office-hours' },
        { deployed: { 'office-hours-pause': OFFICE_HOURS } },
      );
      await s.appRunner.markers.put(SERVICE_ARN, MARKER);
      const [result] = await click(s);
      expect(result).toMatchObject({
        outcome: 'acted',
        reason: expect.stringContaining('the guard wakes then and pauses it'),
      });
      expect(s.appRunner.services[0]!.status).toBe('RUNNING');
      expect((await s.appRunner.markers.list(hubTargets().hub)).has(SERVICE_ARN)).toBe(false);
      expect(s.wakes).toHaveLength(1);
      expect(s.wakes[0]).toMatchObject({
        job: 'pause-resume',
        at: new Date('2026-11-30T22:00:00Z'),
        payload: { action: 'converge', schedule: 'office-hours', services: [SERVICE_ARN] },
      });
    });

    it('a schedule the stack has not deployed: resumed, no wake-up, and the reason says nothing pauses it', async () => {
      const s = setup('PAUSED', { [TAGS.schedule]: 'office-hours' });
      await s.appRunner.markers.put(SERVICE_ARN, MARKER);
      const [result] = await click(s);
      expect(result).toMatchObject({
        outcome: 'acted',
        reason: expect.stringContaining('Schedule office-hours is not deployed in this stack'),
      });
      expect(s.appRunner.services[0]!.status).toBe('RUNNING');
      expect(s.wakes).toEqual([]);
    });

    it('a wake-up that cannot be made leaves the service paused, for the retry to do it all', async () => {
      const s = setup(
        'PAUSED',
        { [TAGS.schedule]: 'office-hours' },
        { deployed: { 'office-hours-pause': OFFICE_HOURS }, wakeUpsFail: true },
      );
      await s.appRunner.markers.put(SERVICE_ARN, MARKER);
      await expect(click(s)).rejects.toThrow(/Scheduler unavailable/);
      expect(s.appRunner.services[0]!.status).toBe('PAUSED');
      expect(s.appRunner.changes).toEqual([]);
    });
  });

  it('Release pin runs the release guard unpin runs: back to the tag, pin record removed, audited', async () => {
    const s = setup('RUNNING', {}, { pin: PIN, image: PINNED });
    await s.post(formBody(actionPayload({ action: 'release-pin', actionTs: fresh() })));
    const [result] = await s.deliver();
    expect(result).toMatchObject({ outcome: 'acted', code: 'release', action: 'release-pin' });
    expect(s.appRunner.changes).toEqual([`update ${SERVICE_NAME} ${REPO}:latest`]);
    expect(s.pin()).toBeUndefined();
    expect(s.publisher.published.map((p) => p.detailType)).toEqual([
      GUARD_DETAIL_TYPES.pinReleased,
      GUARD_DETAIL_TYPES.slackActionTaken,
    ]);
    expect(s.publisher.published[1]?.detail).toMatchObject({
      outcome: 'acted',
      action: 'release-pin',
      details: expect.objectContaining({ slackUser: 'U0ONCALL' }),
    });
  });

  it('Release pin on a service the guard has not pinned changes nothing and says so', async () => {
    const s = setup('RUNNING');
    await s.post(formBody(actionPayload({ action: 'release-pin', actionTs: fresh() })));
    const [result] = await s.deliver();
    expect(result).toMatchObject({
      outcome: 'noop',
      reason: expect.stringContaining('is not pinned by the guard'),
    });
    expect(s.appRunner.changes).toEqual([]);
    expect(s.publisher.published[0]?.detail).toMatchObject({ outcome: 'noop', action: 'release-pin' });
  });

  it('a hand-off event from another account is rejected by the job', async () => {
    const s = setup();
    const job = createHandler({
      logger,
      idempotency: false,
      onReject: async () => {},
      targets: hubTargets(),
      ports: {
        appRunner: s.appRunner.port,
        images: {} as never,
        ledger: {} as never,
        publisher: s.publisher as never,
      },
      rollback: { dryRun: false },
      fixForward: { dryRun: false },
      markers: s.appRunner.markers,
      deployedSchedules: { get: async () => undefined },
      wakeUps: { wakeAt: async () => expect.unreachable('no wake-up for a rejected event') },
      now: () => NOW,
    });
    const r = await job(
      {
        source: SLACK_ACTION_SOURCE,
        'detail-type': SLACK_ACTION_REQUESTED,
        account: '999988887777',
        detail: {},
      },
      lambdaContext() as unknown as Context,
    );
    expect(r).toMatchObject({ outcome: 'rejected', field: 'account' });
  });
});

function createSlackActionEndpointGet(s: ReturnType<typeof setup>) {
  const endpoint = createSlackActionEndpoint({
    logger,
    signingSecret: { get: async () => SIGNING_SECRET },
    allowlist,
    groups: undefined,
    requests: { submit: async (r) => void s.handedOver.push(r) },
    publisher: s.publisher,
    targets: hubTargets(),
    maxBodyBytes: 16 * 1024,
    now: () => NOW,
  });
  return endpoint({ headers: {}, body: '', requestContext: { http: { method: 'GET' } } });
}
