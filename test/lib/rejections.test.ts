import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../lib/core/errors.ts';
import { parseAppRunnerEvent } from '../../lib/events/app-runner.ts';
import { checkEventLimits } from '../../lib/events/limits.ts';
import { createRejectedFailureAlerter } from '../../lib/notify/rejected-failure.ts';
import type { SnsMessage } from '../../lib/notify/sns-message.ts';
import { createRejectionHandler, type RejectionReason, reasonOf } from '../../lib/rejections.ts';
import { hubTargets } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';

/** The rejection the shared stack would produce for a fixture: limits first, then the parser. */
function rejectionOf(raw: unknown): InvalidEventError {
  try {
    checkEventLimits(raw);
    parseAppRunnerEvent(raw, { targets: hubTargets() });
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function setup(withAlerts = true) {
  const counted: { job: string; reason: RejectionReason }[] = [];
  const published: SnsMessage[] = [];
  const alert = createRejectedFailureAlerter({
    job: 'notify',
    targets: hubTargets(),
    sns: { publish: async (m: SnsMessage) => void published.push(m) },
    now: () => new Date('2026-11-20T15:00:00Z'),
  });
  const onReject = createRejectionHandler({
    job: 'notify',
    counter: { count: (job, reason) => counted.push({ job, reason }) },
    ...(withAlerts ? { alert } : {}),
  });
  const reject = (fixture: string | object) => {
    const raw = typeof fixture === 'string' ? loadFixture(fixture) : fixture;
    return onReject(rejectionOf(raw), raw);
  };
  return { reject, counted, published };
}

describe('reasonOf: a bounded vocabulary for the metric', () => {
  it.each([
    ['invalid/wrong-source', 'source'],
    ['invalid/foreign-account', 'account'],
    ['invalid/malformed-arn', 'identity'],
    ['invalid/arn-region-mismatch', 'identity'],
    ['invalid/service-name-mismatch', 'identity'],
    ['invalid/control-character-service-name', 'identity'],
    ['invalid/unknown-operation-status', 'status'],
    ['invalid/unknown-service-status', 'status'],
    ['invalid/missing-detail', 'schema'],
    ['invalid/bad-time', 'schema'],
    ['invalid/deeply-nested', 'depth'],
  ])('%s → %s', (name, reason) => {
    expect(reasonOf(rejectionOf(loadFixture(name)))).toBe(reason);
  });

  it('says size for an oversized event', () => {
    const raw = loadFixture<{ detail: Record<string, unknown> }>('apprunner-operation/deployment-failed');
    raw.detail.Message = 'x'.repeat(300_000);
    expect(reasonOf(rejectionOf(raw))).toBe('size');
  });
});

describe("createRejectionHandler with the notifier's alerter (createRejectedFailureAlerter)", () => {
  it('counts every rejection by job and reason', async () => {
    const { reject, counted } = setup();
    await reject('invalid/foreign-account');
    await reject('invalid/deeply-nested');
    expect(counted).toEqual([
      { job: 'notify', reason: 'account' },
      { job: 'notify', reason: 'depth' },
    ]);
  });

  it('alerts a rejected DeploymentFailed of a service of this account: what, which field, no action, what to check', async () => {
    const { reject, published } = setup();
    await reject('invalid/service-name-mismatch');
    expect(published).toHaveLength(1);
    const [sns] = published;
    expect(sns!.subject).toBe('[CRITICAL] Rejected a DeploymentFailed event: payments-api');
    expect(sns!.attributes).toEqual({
      severity: 'critical',
      service: 'payments-api',
      status: 'DeploymentFailed',
      job: 'notify',
      dryRun: 'false',
    });
    const body = JSON.parse(sns!.message);
    expect(body.summary).toContain('detail.ServiceName: differs from the ARN');
    expect(body.actionTaken).toMatch(/^None: the guard took no action on this event/);
    expect(body.actionTaken).toContain('A human should check the service in the App Runner console');
    expect(body.facts).toContainEqual({ label: 'Rejected field', value: 'detail.ServiceName' });
    expect(body.facts).toContainEqual({ label: 'Rejection reason', value: 'identity' });
    expect(body.id).toBe(`rejected|${loadFixture<{ id: string }>('invalid/service-name-mismatch').id}`);
    expect(body.service.arn).toMatch(/:111122223333:service\/payments-api\//);
  });

  it('alerts a genuine failure rejected for its depth (the shape is read without recursion)', async () => {
    const { reject, published } = setup();
    await reject('invalid/deeply-nested');
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0]!.message).facts).toContainEqual({
      label: 'Rejected field',
      value: 'detail.Extra',
    });
  });

  it.each([
    ['invalid/foreign-account', 'the ARN names another account'],
    ['invalid/malformed-arn', 'the ARN does not parse'],
    ['invalid/wrong-source', 'it is not an App Runner event'],
    ['invalid/unknown-operation-status', 'the status is not a known failure'],
    ['invalid/missing-detail', 'there is no status at all'],
  ])('does not alert %s: %s', async (name) => {
    const { reject, published, counted } = setup();
    await reject(name);
    expect(published).toEqual([]);
    expect(counted).toHaveLength(1);
  });

  it('alerts a rejected CREATE_FAILED status change too', async () => {
    const { reject, published } = setup();
    const raw = loadFixture<{ detail: Record<string, unknown> }>('apprunner-status/create-failed');
    raw.detail.ServiceId = 'not-an-id';
    await reject(raw);
    expect(published[0]!.attributes.status).toBe('CREATE_FAILED');
    expect(published[0]!.subject).toBe('[CRITICAL] Rejected a CREATE_FAILED event: batch-worker');
  });

  it('only counts, never alerts, in a function without an alerter', async () => {
    const { reject, published, counted } = setup(false);
    await reject('invalid/service-name-mismatch');
    expect(published).toEqual([]);
    expect(counted).toEqual([{ job: 'notify', reason: 'identity' }]);
  });
});
