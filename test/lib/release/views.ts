import type { ServiceView } from '../../../lib/aws/app-runner.ts';
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
