import { describe, expect, it } from 'vitest';
import type { OperationStatusEvent } from '../../../lib/events/app-runner.ts';
import { type ObservedRelease, planRecordRelease } from '../../../lib/release/record-release.ts';
import { ARN, D, REPO, serviceView } from './views.ts';

const GOOD = D('a');
const AT = '2026-11-20T12:05:00Z';

const event = (
  status: OperationStatusEvent['status'] = 'DeploymentCompletedSuccessfully',
): OperationStatusEvent => ({
  kind: 'operation',
  eventId: 'ev-ok',
  time: AT,
  service: {
    arn: ARN,
    name: 'payments-api',
    id: '8fe1e10304f84fd2b0df550fe98a71fa',
    region: 'us-east-1',
    account: '111122223333',
  },
  spelling: 'PascalCase',
  status,
  operation: 'Deployment',
  phase: 'CompletedSuccessfully',
});
const service = serviceView;
const observed = (over: Partial<ObservedRelease> = {}): ObservedRelease => ({
  event: event(),
  service: service(),
  operations: [
    { id: 'op', type: 'START_DEPLOYMENT', status: 'SUCCEEDED', startedAt: '2026-11-20T12:00:00Z' },
  ],
  resolution: {
    kind: 'resolved',
    digest: GOOD,
    repository: REPO,
    pushedAt: '2026-11-20T11:00:00Z',
    lookedUp: true,
  },
  quarantined: [],
  ...over,
});

describe('planRecordRelease', () => {
  it.each<[string, Partial<ObservedRelease>, string]>([
    ['a RUNNING image service after a successful deployment → record', {}, 'record'],
    [
      'UpdateServiceCompletedSuccessfully → record',
      { event: event('UpdateServiceCompletedSuccessfully') },
      'record',
    ],
    [
      'CreateServiceCompletedSuccessfully → record',
      { event: event('CreateServiceCompletedSuccessfully') },
      'record',
    ],
    ['not a success status → skip', { event: event('DeploymentFailed') }, 'not-a-success'],
    ['service gone → skip', { service: undefined }, 'deleted'],
    [
      'code-based → skip',
      { service: service({ sourceType: 'code', imageIdentifier: undefined }) },
      'code-based',
    ],
    ['not RUNNING → skip', { service: service({ status: 'OPERATION_IN_PROGRESS' }) }, 'not-running'],
    [
      'a later deployment failed → skip (the configured image is not the one that succeeded)',
      {
        operations: [
          {
            id: 'op2',
            type: 'START_DEPLOYMENT',
            status: 'ROLLBACK_SUCCEEDED',
            startedAt: '2026-11-20T12:10:00Z',
          },
          { id: 'op', type: 'START_DEPLOYMENT', status: 'SUCCEEDED', startedAt: '2026-11-20T12:00:00Z' },
        ],
      },
      'superseded',
    ],
    [
      'a later pause does not matter',
      {
        operations: [
          { id: 'op2', type: 'PAUSE_SERVICE', status: 'SUCCEEDED', startedAt: '2026-11-20T12:10:00Z' },
          { id: 'op', type: 'START_DEPLOYMENT', status: 'SUCCEEDED', startedAt: '2026-11-20T12:00:00Z' },
        ],
      },
      'record',
    ],
    [
      'image cannot be resolved → skip',
      { resolution: { kind: 'unresolvable', reason: 'ECR Public tag' } },
      'unresolvable',
    ],
    [
      'tag re-pushed after the success → skip',
      {
        resolution: {
          kind: 'resolved',
          digest: GOOD,
          repository: REPO,
          pushedAt: '2026-11-20T12:06:00Z',
          lookedUp: true,
        },
      },
      'tag-moved',
    ],
    [
      'digest quarantined after this success (late event) → skip',
      {
        quarantined: [
          { serviceArn: ARN, digest: GOOD, time: '2026-11-20T13:00:00Z', reason: 'failed', trigger: 'x' },
        ],
      },
      'quarantined-later',
    ],
  ])('%s', (_name, over, expected) => {
    const plan = planRecordRelease(observed(over));
    expect(plan.action === 'record' ? 'record' : plan.code).toBe(expected);
  });

  it('records service, image, repository, digest, event time and event id', () => {
    const plan = planRecordRelease(observed());
    expect(plan).toMatchObject({
      action: 'record',
      liftQuarantine: false,
      release: {
        serviceArn: ARN,
        imageIdentifier: `${REPO}:latest`,
        repository: REPO,
        digest: GOOD,
        time: AT,
        eventId: 'ev-ok',
      },
    });
  });

  it('lifts a quarantine that is older than the success', () => {
    const plan = planRecordRelease(
      observed({
        quarantined: [
          { serviceArn: ARN, digest: GOOD, time: '2026-11-20T10:00:00Z', reason: 'failed', trigger: 'x' },
        ],
      }),
    );
    expect(plan).toMatchObject({ action: 'record', liftQuarantine: true });
  });
});
