import type { ServiceView } from '../../../lib/aws/app-runner.ts';
import type { BakeRecord } from '../../../lib/core/ports/bake-ledger.ts';
import type { PinRecord } from '../../../lib/core/ports/release-ledger.ts';

/** Shared by the release and rollback tests: the payments-api service and its ECR repository. */
export const ARN =
  'arn:aws:apprunner:us-east-1:111122223333:service/payments-api/8fe1e10304f84fd2b0df550fe98a71fa';
export const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments';
/** A digest of 64 times the hex character `c`. */
export const D = (c: string) => `sha256:${c.repeat(64)}`;

/** payments-api as DescribeService shows it: RUNNING, image-based, on the mutable `:latest`. */
export const serviceView = (over: Partial<ServiceView> = {}): ServiceView => ({
  arn: ARN,
  name: 'payments-api',
  id: '8fe1e10304f84fd2b0df550fe98a71fa',
  status: 'RUNNING',
  sourceType: 'image',
  imageIdentifier: `${REPO}:latest`,
  imageRepositoryType: 'ECR',
  ...over,
});

/**
 * The guard's pin of payments-api: `:latest` (automatic deployments on) failed with digest `b`, so
 * it was pinned to the known-good digest `a`.
 */
export const pinOf = (over: Partial<PinRecord> = {}): PinRecord => ({
  serviceArn: ARN,
  replacedImage: `${REPO}:latest`,
  repository: REPO,
  tag: 'latest',
  autoDeploymentsEnabled: true,
  failedDigest: D('b'),
  pinnedImage: `${REPO}@${D('a')}`,
  pinnedDigest: D('a'),
  time: '2026-11-20T10:30:00Z',
  reason: 'The deployment failed.',
  trigger: 'ev-1',
  ...over,
});

/** The bake tests' stack prefix of the guard's alarms, and its default alarm of payments-api. */
export const BAKE_PREFIX = 'apprunner-guard-dev-bake-';
export const OWN_ALARM = `${BAKE_PREFIX}payments-api-8fe1e10304f84fd2b0df550fe98a71fa`;

/**
 * The bake of payments-api's candidate `c` (from `:latest`), deployed at 14:03:10 for 30 minutes
 * and watched by the guard's default alarm only.
 */
export const bakeOf = (over: Partial<BakeRecord> = {}): BakeRecord => ({
  serviceArn: ARN,
  trigger: 'ev-success',
  imageIdentifier: `${REPO}:latest`,
  repository: REPO,
  digest: D('c'),
  deploymentStartedAt: '2026-11-20T14:00:00Z',
  deployedAt: '2026-11-20T14:03:10Z',
  bakeMinutes: 30,
  bakeUntil: '2026-11-20T14:33:10.000Z',
  alarms: [OWN_ALARM],
  ownAlarm: OWN_ALARM,
  firingAtStart: [],
  status: 'baking',
  ...over,
});
