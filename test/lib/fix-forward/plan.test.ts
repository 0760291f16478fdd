import { describe, expect, it } from 'vitest';
import { type ObservedPin, planRelease, type ReleaseTrigger } from '../../../lib/fix-forward/plan.ts';
import { ARN, D, pinOf, REPO, serviceView } from '../release/views.ts';

const GOOD = D('a');
const BAD = D('b');
const FIX = D('c');
const OLD_BAD = D('d');
const PINNED = `${REPO}@${GOOD}`;

const pin = pinOf;

const push = (over: Partial<Extract<ReleaseTrigger, { kind: 'push' }>> = {}): ReleaseTrigger => ({
  kind: 'push',
  id: 'ecr-1',
  time: '2026-11-20T11:00:00Z',
  repository: REPO,
  tag: 'latest',
  digest: FIX,
  ...over,
});

const observed = (over: Partial<ObservedPin> = {}): ObservedPin => ({
  trigger: push(),
  pin: pin(),
  service: serviceView({ imageIdentifier: PINNED, autoDeploymentsEnabled: false }),
  tags: {},
  quarantined: [],
  digest: FIX,
  ...over,
});

describe('planRelease', () => {
  it('releases the pin when a new digest is pushed to the followed tag: back to the tag, auto-deploy as before', () => {
    const plan = planRelease(observed());
    expect(plan).toMatchObject({
      outcome: 'acted',
      action: 'release-pin',
      code: 'release',
      release: { toImage: `${REPO}:latest`, autoDeploymentsEnabled: true, digest: FIX },
    });
    expect(plan.reason).toContain('released the pin');
  });

  it('restores automatic deployments off when they were off before the pin', () => {
    const plan = planRelease(observed({ pin: pin({ autoDeploymentsEnabled: false }) }));
    expect(plan.release).toMatchObject({ autoDeploymentsEnabled: false });
    expect(plan.reason).toContain('automatic deployments off as before');
  });

  it('keeps the pin when the failed digest is pushed again, and says so loudly', () => {
    const plan = planRelease(observed({ trigger: push({ digest: BAD }), digest: BAD }));
    expect(plan).toMatchObject({ outcome: 'skipped', code: 'failed-digest', attention: true });
    expect(plan.release).toBeUndefined();
    expect(plan.reason).toContain('the pin to');
  });

  it('keeps the pin when a quarantined digest is pushed', () => {
    const plan = planRelease(
      observed({
        trigger: push({ digest: OLD_BAD }),
        digest: OLD_BAD,
        quarantined: [
          { serviceArn: ARN, digest: OLD_BAD, time: 't', reason: 'DeploymentFailed', trigger: 'x' },
        ],
      }),
    );
    expect(plan).toMatchObject({ outcome: 'skipped', code: 'quarantined' });
    expect(plan.reason).toContain('DeploymentFailed');
  });

  it('nothing to do for a push to another tag of the repository', () => {
    expect(planRelease(observed({ trigger: push({ tag: 'canary' }) }))).toMatchObject({
      outcome: 'noop',
      action: 'none',
      code: 'other-tag',
    });
  });

  it('honours the opt-out tag on a push, not on a human unpin', () => {
    const tags = { 'apprunner-guard:fix-forward': 'off' };
    expect(planRelease(observed({ tags }))).toMatchObject({ outcome: 'skipped', code: 'opted-out' });
    const manual: ReleaseTrigger = { kind: 'manual', id: 'manual:me@t', time: 't' };
    expect(planRelease(observed({ tags, trigger: manual }))).toMatchObject({ code: 'release' });
  });

  it('never touches a code-based service', () => {
    const service = serviceView({ sourceType: 'code', imageIdentifier: undefined });
    expect(planRelease(observed({ service }))).toMatchObject({ outcome: 'skipped', code: 'code-based' });
  });

  it('drops the record of a service that is gone, or no longer on the guard pin', () => {
    expect(planRelease(observed({ service: undefined }))).toMatchObject({
      code: 'deleted',
      dropRecord: true,
    });
    const changed = serviceView({ imageIdentifier: `${REPO}@${OLD_BAD}` });
    expect(planRelease(observed({ service: changed }))).toMatchObject({
      outcome: 'skipped',
      code: 'not-pinned',
      dropRecord: true,
    });
  });

  it('a replay after the release went through is a no-op that drops the record', () => {
    const released = serviceView({ imageIdentifier: `${REPO}:latest`, autoDeploymentsEnabled: true });
    expect(planRelease(observed({ service: released }))).toMatchObject({
      outcome: 'noop',
      code: 'already-released',
      dropRecord: true,
    });
  });

  it('a pin that replaced a digest has no tag to go back to', () => {
    const plan = planRelease(observed({ pin: pin({ tag: undefined, replacedImage: `${REPO}@${OLD_BAD}` }) }));
    expect(plan).toMatchObject({ outcome: 'skipped', code: 'no-tag' });
  });

  it('defers a push while an operation is in progress; a paused service keeps its pin', () => {
    const busy = serviceView({ imageIdentifier: PINNED, status: 'OPERATION_IN_PROGRESS' });
    expect(planRelease(observed({ service: busy }))).toMatchObject({ outcome: 'deferred', action: 'defer' });
    const paused = serviceView({ imageIdentifier: PINNED, status: 'PAUSED' });
    expect(planRelease(observed({ service: paused }))).toMatchObject({ outcome: 'skipped', code: 'paused' });
  });

  it('by hand, a tag that resolves to nothing is not released', () => {
    const manual: ReleaseTrigger = { kind: 'manual', id: 'manual:me@t', time: 't' };
    const plan = planRelease(
      observed({ trigger: manual, digest: undefined, unresolvedReason: 'tag latest not found' }),
    );
    expect(plan).toMatchObject({ outcome: 'skipped', code: 'unresolved' });
    expect(plan.reason).toContain('tag latest not found');
  });
});
