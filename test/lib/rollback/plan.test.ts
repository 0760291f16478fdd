import { describe, expect, it } from 'vitest';
import type { OperationView } from '../../../lib/aws/app-runner.ts';
import type {
  PinReleaseRecord,
  QuarantineRecord,
  ReleaseRecord,
  RollbackRecord,
} from '../../../lib/aws/ledger.ts';
import { type ObservedRollback, planRollback, type RollbackTrigger } from '../../../lib/rollback/plan.ts';
import { ARN, D, pinOf, REPO, serviceView } from '../release/views.ts';

const GOOD = D('a');
const OLDER = D('9');
const BAD = D('b');
const FAILED_AT = '2026-11-20T14:03:10Z';

const release = (digest: string, time: string, eventId = `ev-${digest[7]}`): ReleaseRecord => ({
  serviceArn: ARN,
  imageIdentifier: `${REPO}:latest`,
  repository: REPO,
  digest,
  time,
  eventId,
});
const quarantine = (digest: string): QuarantineRecord => ({
  serviceArn: ARN,
  digest,
  time: '2026-11-20T09:00:00Z',
  reason: 'DeploymentFailed',
  trigger: 'ev-old',
});
const rollback = (over: Partial<RollbackRecord> = {}): RollbackRecord => ({
  serviceArn: ARN,
  time: '2026-11-20T13:50:00Z',
  trigger: 'ev-earlier',
  kind: 'automatic',
  status: 'started',
  fromImage: `${REPO}:latest`,
  fromDigest: D('c'),
  toImage: `${REPO}@${GOOD}`,
  toDigest: GOOD,
  operationId: 'op-pin',
  ...over,
});
const op = (over: Partial<OperationView>): OperationView => ({
  id: 'op-x',
  type: 'START_DEPLOYMENT',
  status: 'ROLLBACK_SUCCEEDED',
  startedAt: '2026-11-20T13:58:00Z',
  endedAt: FAILED_AT,
  ...over,
});
const service = serviceView;
const eventTrigger = (over: Partial<Extract<RollbackTrigger, { kind: 'event' }>> = {}): RollbackTrigger => ({
  kind: 'event',
  id: 'ev-failed',
  time: FAILED_AT,
  status: 'DeploymentFailed',
  message: 'Health check failed.',
  ...over,
});

/** A mutable tag now at a bad digest, with two known-good releases in the ledger. */
function observed(over: Partial<ObservedRollback> = {}): ObservedRollback {
  return {
    trigger: eventTrigger(),
    service: service(),
    tags: {},
    operations: [
      op({ id: 'op-failed' }),
      op({ id: 'op-good', status: 'SUCCEEDED', startedAt: '2026-11-20T12:00:00Z' }),
    ],
    releases: [release(GOOD, '2026-11-20T12:05:00Z'), release(OLDER, '2026-11-19T12:05:00Z')],
    quarantined: [],
    rollbacks: [],
    configured: { identifier: `${REPO}:latest`, repository: REPO, digest: BAD },
    settings: { loopLimit: 3, loopWindowMinutes: 60 },
    ...over,
  };
}

const DIGEST_PIN = /^[^:@]+(:\d+)?\/[^@:]+@sha256:[0-9a-f]{64}$/;

describe('planRollback', () => {
  it.each<
    [string, Partial<ObservedRollback>, { outcome: string; code: string; action: string; to?: string }]
  >([
    [
      'mutable tag now at a bad digest → pin the newest known-good digest',
      {},
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: GOOD },
    ],
    [
      'UpdateServiceFailed that changed the image → pin',
      { trigger: eventTrigger({ status: 'UpdateServiceFailed' }) },
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: GOOD },
    ],
    [
      'newest known-good is quarantined → the next one',
      { quarantined: [quarantine(GOOD)] },
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: OLDER },
    ],
    [
      'newest known-good is the failed digest → the next one',
      {
        configured: { identifier: `${REPO}:latest`, repository: REPO, digest: GOOD },
        quarantined: [quarantine(GOOD)],
      },
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: OLDER },
    ],
    [
      'tag no longer resolves → still pin the newest known-good',
      {
        configured: { identifier: `${REPO}:latest`, repository: REPO, unresolvedReason: 'ECR has no image' },
      },
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: GOOD },
    ],
    [
      'already pinned to the known-good digest → noop',
      {
        service: service({ imageIdentifier: `${REPO}@${GOOD}` }),
        configured: { identifier: `${REPO}@${GOOD}`, repository: REPO, digest: GOOD },
      },
      { outcome: 'noop', code: 'already-pinned', action: 'none' },
    ],
    [
      'UpdateServiceFailed that did not change the image (tag still at a known-good digest) → noop',
      {
        trigger: eventTrigger({ status: 'UpdateServiceFailed' }),
        configured: { identifier: `${REPO}:latest`, repository: REPO, digest: GOOD },
      },
      { outcome: 'noop', code: 'known-good', action: 'none' },
    ],
    [
      'no known-good release → skip',
      { releases: [] },
      { outcome: 'skipped', code: 'no-known-good', action: 'none' },
    ],
    [
      'only known-good release is quarantined → skip',
      { releases: [release(GOOD, '2026-11-20T12:05:00Z')], quarantined: [quarantine(GOOD)] },
      { outcome: 'skipped', code: 'no-known-good', action: 'none' },
    ],
    [
      'code-based service → skip with guidance',
      {
        service: service({ sourceType: 'code', imageIdentifier: undefined, imageRepositoryType: undefined }),
        configured: undefined,
      },
      { outcome: 'skipped', code: 'code-based', action: 'none' },
    ],
    [
      'service deleted → skip',
      { service: undefined },
      { outcome: 'skipped', code: 'deleted', action: 'none' },
    ],
    [
      'service DELETED status → skip',
      { service: service({ status: 'DELETED' }) },
      { outcome: 'skipped', code: 'deleted', action: 'none' },
    ],
    [
      'service paused → skip with guidance',
      { service: service({ status: 'PAUSED' }) },
      { outcome: 'skipped', code: 'paused', action: 'none' },
    ],
    [
      'OPERATION_IN_PROGRESS (App Runner still rolling back) → defer',
      { service: service({ status: 'OPERATION_IN_PROGRESS' }) },
      { outcome: 'deferred', code: 'in-progress', action: 'defer' },
    ],
    [
      'OPERATION_IN_PROGRESS with a newer operation started after the failure → noop (its own event decides)',
      {
        service: service({ status: 'OPERATION_IN_PROGRESS' }),
        operations: [
          op({ id: 'op-new', status: 'IN_PROGRESS', startedAt: '2026-11-20T14:05:00Z', endedAt: undefined }),
          op({ id: 'op-failed' }),
        ],
      },
      { outcome: 'noop', code: 'superseded', action: 'none' },
    ],
    [
      'CREATE_FAILED → skip',
      { service: service({ status: 'CREATE_FAILED' }) },
      { outcome: 'skipped', code: 'not-running', action: 'none' },
    ],
    [
      'stale: a newer successful deployment is in the ledger → noop',
      { releases: [release(D('d'), '2026-11-20T14:10:00Z'), release(GOOD, '2026-11-20T12:05:00Z')] },
      { outcome: 'noop', code: 'stale', action: 'none' },
    ],
    [
      'stale: ListOperations shows a newer successful deployment → noop',
      {
        operations: [
          op({
            id: 'op-new',
            status: 'SUCCEEDED',
            startedAt: '2026-11-20T14:06:00Z',
            endedAt: '2026-11-20T14:09:00Z',
          }),
          op({ id: 'op-failed' }),
        ],
      },
      { outcome: 'noop', code: 'stale', action: 'none' },
    ],
    [
      "the guard's own rollback failed (operation id matches) → failed, no second rollback",
      {
        trigger: eventTrigger({ status: 'UpdateServiceFailed' }),
        rollbacks: [rollback({ operationId: 'op-pin' })],
        operations: [op({ id: 'op-pin', type: 'UPDATE_SERVICE', startedAt: '2026-11-20T13:50:00Z' })],
        service: service({ imageIdentifier: `${REPO}@${GOOD}` }),
        configured: { identifier: `${REPO}@${GOOD}`, repository: REPO, digest: GOOD },
      },
      { outcome: 'failed', code: 'own-rollback-failed', action: 'none' },
    ],
    [
      "the guard's own rollback failed (no operation id: configured = our pin, never succeeded) → failed",
      {
        trigger: eventTrigger({ status: 'UpdateServiceFailed' }),
        rollbacks: [rollback({ operationId: undefined })],
        operations: [],
        releases: [release(GOOD, '2026-11-20T12:05:00Z')],
        service: service({ imageIdentifier: `${REPO}@${GOOD}` }),
        configured: { identifier: `${REPO}@${GOOD}`, repository: REPO, digest: GOOD },
      },
      { outcome: 'failed', code: 'own-rollback-failed', action: 'none' },
    ],
    [
      'an earlier rollback that succeeded is not mistaken for a failed one',
      {
        rollbacks: [rollback({ operationId: 'op-pin', time: '2026-11-20T10:00:00Z' })],
        releases: [release(GOOD, '2026-11-20T12:05:00Z'), release(OLDER, '2026-11-19T12:05:00Z')],
      },
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: GOOD },
    ],
    [
      'loop guard: limit reached within the window → failed',
      {
        rollbacks: [
          rollback({ trigger: 'e1', time: '2026-11-20T13:40:00Z', operationId: 'p1' }),
          rollback({ trigger: 'e2', time: '2026-11-20T13:20:00Z', operationId: 'p2' }),
          rollback({ trigger: 'e3', time: '2026-11-20T13:10:00Z', operationId: 'p3' }),
        ],
        releases: [release(GOOD, '2026-11-20T13:45:00Z'), release(OLDER, '2026-11-19T12:05:00Z')],
      },
      { outcome: 'failed', code: 'loop-guard', action: 'none' },
    ],
    [
      'loop guard: rollbacks outside the window, pending or manual do not count',
      {
        rollbacks: [
          rollback({ trigger: 'e1', time: '2026-11-20T13:40:00Z', operationId: 'p1' }),
          rollback({ trigger: 'e2', time: '2026-11-20T13:20:00Z', operationId: 'p2', status: 'pending' }),
          rollback({ trigger: 'e3', time: '2026-11-20T13:15:00Z', operationId: 'p3', kind: 'manual' }),
          rollback({ trigger: 'e4', time: '2026-11-20T12:00:00Z', operationId: 'p4' }),
        ],
        releases: [release(GOOD, '2026-11-20T13:45:00Z'), release(OLDER, '2026-11-19T12:05:00Z')],
      },
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: GOOD },
    ],
    [
      'opted out by tag → skip',
      { tags: { 'apprunner-guard:rollback': 'OFF' } },
      { outcome: 'skipped', code: 'opted-out', action: 'none' },
    ],
    [
      'a retry after the pin was made for this event → report it again, act nothing',
      {
        rollbacks: [rollback({ trigger: 'ev-failed', time: FAILED_AT, fromDigest: BAD })],
        service: service({ status: 'OPERATION_IN_PROGRESS', imageIdentifier: `${REPO}@${GOOD}` }),
      },
      { outcome: 'acted', code: 'replay', action: 'pin-image', to: GOOD },
    ],
    [
      'a retry after only the pending record was written → act again',
      {
        rollbacks: [
          rollback({ trigger: 'ev-failed', time: FAILED_AT, status: 'pending', operationId: undefined }),
        ],
      },
      { outcome: 'acted', code: 'pin', action: 'pin-image', to: GOOD },
    ],
  ])('%s', (_name, over, expected) => {
    const plan = planRollback(observed(over));
    expect({ outcome: plan.outcome, code: plan.code, action: plan.action }).toEqual({
      outcome: expected.outcome,
      code: expected.code,
      action: expected.action,
    });
    expect(plan.reason.length).toBeGreaterThan(20);
    if (expected.to) {
      expect(plan.pin?.toDigest).toBe(expected.to);
      expect(plan.pin?.toImage).toBe(`${REPO}@${expected.to}`);
      expect(plan.pin?.toImage).toMatch(DIGEST_PIN);
    } else {
      expect(plan.pin).toBeUndefined();
    }
  });

  it('quarantines the failed digest and says where it pins from and to', () => {
    const plan = planRollback(observed());
    expect(plan.pin).toEqual({
      fromImage: `${REPO}:latest`,
      fromDigest: BAD,
      toImage: `${REPO}@${GOOD}`,
      toDigest: GOOD,
      quarantine: BAD,
    });
    expect(plan.reason).toContain('failed');
  });

  it('tells a code-based service to revert the commit', () => {
    const plan = planRollback(
      observed({
        service: service({ sourceType: 'code', imageIdentifier: undefined }),
        configured: undefined,
      }),
    );
    expect(plan.reason).toMatch(/revert the bad commit/i);
  });

  it('never pins a tag, even when every known-good release was recorded from a tag', () => {
    for (const r of observed().releases) expect(r.imageIdentifier).toMatch(/:latest$/);
    expect(planRollback(observed()).pin?.toImage).not.toMatch(/:latest/);
  });

  describe('manual', () => {
    const manual = (over: Partial<Extract<RollbackTrigger, { kind: 'manual' }>> = {}): RollbackTrigger => ({
      kind: 'manual',
      id: 'manual:alice@2026-11-20T15:00:00Z',
      time: '2026-11-20T15:00:00Z',
      force: false,
      ...over,
    });

    it.each<[string, Partial<ObservedRollback>, { outcome: string; code: string; to?: string }]>([
      [
        'from a known-good release → the one before it',
        { trigger: manual(), configured: { identifier: `${REPO}@${GOOD}`, repository: REPO, digest: GOOD } },
        { outcome: 'acted', code: 'pin', to: OLDER },
      ],
      [
        'from a bad tag → newest known-good',
        { trigger: manual() },
        { outcome: 'acted', code: 'pin', to: GOOD },
      ],
      [
        '--to a known-good digest',
        { trigger: manual({ toDigest: OLDER }) },
        { outcome: 'acted', code: 'pin', to: OLDER },
      ],
      [
        '--to a digest not in the ledger → refused',
        { trigger: manual({ toDigest: D('e') }) },
        { outcome: 'skipped', code: 'unknown-target' },
      ],
      [
        '--to a digest not in the ledger with --force → pinned on the configured repository',
        { trigger: manual({ toDigest: D('e'), force: true }) },
        { outcome: 'acted', code: 'pin', to: D('e') },
      ],
      [
        '--to a quarantined digest → refused',
        { trigger: manual({ toDigest: OLDER }), quarantined: [quarantine(OLDER)] },
        { outcome: 'skipped', code: 'quarantined-target' },
      ],
      [
        '--to the digest already pinned → noop',
        {
          trigger: manual({ toDigest: GOOD }),
          configured: { identifier: `${REPO}@${GOOD}`, repository: REPO, digest: GOOD },
        },
        { outcome: 'noop', code: 'already-pinned' },
      ],
      [
        'operation in progress → skipped (no retries at a terminal)',
        { trigger: manual(), service: service({ status: 'OPERATION_IN_PROGRESS' }) },
        { outcome: 'skipped', code: 'in-progress' },
      ],
      [
        'the loop guard does not stop a human',
        {
          trigger: manual(),
          rollbacks: [
            rollback({ trigger: 'e1', time: '2026-11-20T14:40:00Z' }),
            rollback({ trigger: 'e2', time: '2026-11-20T14:30:00Z' }),
            rollback({ trigger: 'e3', time: '2026-11-20T14:20:00Z' }),
          ],
        },
        { outcome: 'acted', code: 'pin', to: GOOD },
      ],
      [
        'opted out → refused',
        { trigger: manual(), tags: { 'apprunner-guard:rollback': 'off' } },
        { outcome: 'skipped', code: 'opted-out' },
      ],
    ])('%s', (_name, over, expected) => {
      const plan = planRollback(observed(over));
      expect({ outcome: plan.outcome, code: plan.code }).toEqual({
        outcome: expected.outcome,
        code: expected.code,
      });
      if (expected.to) expect(plan.pin?.toImage).toBe(`${REPO}@${expected.to}`);
      else expect(plan.pin).toBeUndefined();
    });
  });

  describe('a released pin whose fix fails (fix forward), both ways App Runner may leave the configuration', () => {
    const FIX = D('f');
    const pinRecord = pinOf({ time: '2026-11-20T13:50:00Z', reason: 'pinned', trigger: 'ev-earlier' });
    const pinRelease: PinReleaseRecord = {
      serviceArn: ARN,
      releasedTo: `${REPO}:latest`,
      digest: FIX,
      pin: pinRecord,
      time: '2026-11-20T14:00:00Z',
      trigger: 'ecr-push',
      operationId: 'op-release',
    };
    const failedRelease = op({ id: 'op-release', type: 'UPDATE_SERVICE', startedAt: '2026-11-20T14:00:00Z' });
    const reverted = {
      trigger: eventTrigger({ status: 'UpdateServiceFailed' }),
      pinRelease,
      rollbacks: [rollback()],
      operations: [failedRelease, op({ id: 'op-pin', type: 'UPDATE_SERVICE', status: 'SUCCEEDED' })],
      service: service({ imageIdentifier: `${REPO}@${GOOD}`, autoDeploymentsEnabled: false }),
      configured: { identifier: `${REPO}@${GOOD}`, repository: REPO, digest: GOOD },
    } satisfies Partial<ObservedRollback>;

    it('reverted to the pin: the fix is the failed digest, quarantined; the pin is recorded again, nothing deployed', () => {
      const plan = planRollback(observed(reverted));
      expect(plan).toMatchObject({
        outcome: 'acted',
        code: 'fix-failed',
        pin: { fromDigest: FIX, toImage: `${REPO}@${GOOD}`, quarantine: FIX, alreadyConfigured: true },
      });
      expect(plan.reason).toContain('quarantined');
    });

    it('reverted to the pin with automatic deployments left on: pinned again through UpdateService', () => {
      const plan = planRollback(
        observed({
          ...reverted,
          service: service({ imageIdentifier: `${REPO}@${GOOD}`, autoDeploymentsEnabled: true }),
        }),
      );
      expect(plan).toMatchObject({ code: 'fix-failed', pin: { quarantine: FIX, alreadyConfigured: false } });
    });

    it('the new image left configured: the ordinary pin, the fix quarantined', () => {
      const plan = planRollback(
        observed({
          ...reverted,
          service: service(),
          configured: { identifier: `${REPO}:latest`, repository: REPO, digest: FIX },
        }),
      );
      expect(plan).toMatchObject({ code: 'pin', pin: { toDigest: GOOD, quarantine: FIX } });
    });

    it('another operation failed than the release: not blamed on the fix', () => {
      const plan = planRollback(
        observed({ ...reverted, operations: [op({ id: 'op-other', type: 'UPDATE_SERVICE' })] }),
      );
      expect(plan.code).toBe('already-pinned');
    });

    it('the loop guard applies', () => {
      const plan = planRollback(
        observed({
          ...reverted,
          rollbacks: [
            rollback({ trigger: 'e1', time: '2026-11-20T14:01:00Z' }),
            rollback({ trigger: 'e2', time: '2026-11-20T13:40:00Z' }),
            rollback({ trigger: 'e3', time: '2026-11-20T13:30:00Z' }),
          ],
        }),
      );
      expect(plan).toMatchObject({ outcome: 'failed', code: 'loop-guard' });
    });
  });

  describe('the bake window: only promoted releases are targets; an alarm during a bake rolls the candidate back', () => {
    const CANDIDATE = D('e');
    const candidate = release(CANDIDATE, '2026-11-20T14:30:00Z', 'ev-candidate');
    const alarmTrigger = (
      over: Partial<Extract<RollbackTrigger, { kind: 'alarm' }>> = {},
    ): RollbackTrigger => ({
      kind: 'alarm',
      id: 'alarm-ev',
      time: '2026-11-20T14:36:00Z',
      alarmName: 'payments-5xx',
      alarmReason: 'Threshold Crossed',
      candidateDigest: CANDIDATE,
      bakeStartedAt: '2026-11-20T14:27:00Z',
      bakeUntil: '2026-11-20T15:00:00Z',
      bakeMinutes: 30,
      ...over,
    });
    const baking = (over: Partial<ObservedRollback> = {}) =>
      observed({
        trigger: alarmTrigger(),
        operations: [op({ id: 'op-candidate', status: 'SUCCEEDED', startedAt: '2026-11-20T14:27:00Z' })],
        releases: [{ ...candidate, state: 'candidate' }, release(GOOD, '2026-11-20T12:05:00Z')],
        configured: { identifier: `${REPO}:latest`, repository: REPO, digest: CANDIDATE },
        ...over,
      });

    it('ALARM during the bake: pin the last promoted digest, quarantine the candidate, say which alarm and the window', () => {
      const plan = planRollback(baking());
      expect(plan).toMatchObject({
        outcome: 'acted',
        code: 'pin',
        pin: { toImage: `${REPO}@${GOOD}`, quarantine: CANDIDATE },
      });
      expect(plan.reason).toContain('payments-5xx');
      expect(plan.reason).toContain('9 minutes into the bake');
    });

    it('the service no longer runs the candidate: nothing to roll back', () => {
      const plan = planRollback(
        baking({ configured: { identifier: `${REPO}@${GOOD}`, repository: REPO, digest: GOOD } }),
      );
      expect(plan).toMatchObject({ outcome: 'noop', code: 'not-candidate' });
    });

    it('loop guard, opt-out and an operation in progress apply as for a failed deployment', () => {
      expect(
        planRollback(
          baking({
            rollbacks: [
              rollback({ trigger: 'e1', time: '2026-11-20T14:35:00Z' }),
              rollback({ trigger: 'e2', time: '2026-11-20T14:20:00Z' }),
              rollback({ trigger: 'e3', time: '2026-11-20T14:10:00Z' }),
            ],
          }),
        ).code,
      ).toBe('loop-guard');
      expect(planRollback(baking({ tags: { 'apprunner-guard:rollback': 'off' } })).code).toBe('opted-out');
      expect(planRollback(baking({ service: service({ status: 'OPERATION_IN_PROGRESS' }) }))).toMatchObject({
        outcome: 'deferred',
        action: 'defer',
      });
    });

    it('a failed deployment while a candidate bakes pins the last promoted release, never the newer candidate', () => {
      const earlier = { ...candidate, time: '2026-11-20T13:30:00Z', state: 'candidate' as const };
      const plan = planRollback(observed({ releases: [earlier, release(GOOD, '2026-11-20T12:05:00Z')] }));
      expect(plan.pin?.toDigest).toBe(GOOD);
    });

    it('only candidates in the ledger: no known-good, and the reason says why', () => {
      const plan = planRollback(
        observed({ releases: [{ ...candidate, time: '2026-11-20T13:30:00Z', state: 'candidate' }] }),
      );
      expect(plan).toMatchObject({ outcome: 'skipped', code: 'no-known-good' });
      expect(plan.reason).toContain('candidate still baking, never a target');
    });

    it('by hand: `--to` a candidate needs --force; without --to, the last promoted release', () => {
      const manual = (toDigest?: string, force = false): RollbackTrigger => ({
        kind: 'manual',
        id: 'manual:alice@2026-11-20T14:40:00Z',
        time: '2026-11-20T14:40:00Z',
        ...(toDigest ? { toDigest } : {}),
        force,
      });
      const current = { configured: { identifier: `${REPO}:latest`, repository: REPO, digest: BAD } };
      const releases = [{ ...candidate, state: 'candidate' as const }, release(GOOD, '2026-11-20T12:05:00Z')];
      expect(planRollback(observed({ ...current, releases, trigger: manual(CANDIDATE) }))).toMatchObject({
        code: 'unknown-target',
        reason: expect.stringContaining('candidate still baking'),
      });
      expect(
        planRollback(observed({ ...current, releases, trigger: manual(CANDIDATE, true) })).pin?.toDigest,
      ).toBe(CANDIDATE);
      expect(planRollback(observed({ ...current, releases, trigger: manual() })).pin?.toDigest).toBe(GOOD);
    });
  });
});
