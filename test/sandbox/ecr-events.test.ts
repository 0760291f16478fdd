import { describe, expect, it } from 'vitest';
import { ECR_IMAGE_ACTION, imagePushEvent } from '../../sandbox/ecr.ts';
import { digestOf } from '../../sandbox/images.ts';
import { loadRoutes, routeEvent } from '../../sandbox/routes.ts';
import { ROOT } from '../../sandbox/run.ts';
import { loadFixture } from '../support/fixtures.ts';

const REGISTRY = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
const AT = Date.parse('2026-11-20T14:30:05Z');
const DIGEST = digestOf('payments-v3');

describe("ECR's ECR Image Action event for a push", () => {
  it('has the documented shape (the fixture): source aws.ecr, resources empty, the detail keys of the ECR user guide', () => {
    const event = imagePushEvent({ identifier: `${REGISTRY}/payments:latest`, digest: DIGEST, at: AT });
    expect(event).toEqual({
      ...loadFixture<object>('ecr/image-push'),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(event?.['detail-type']).toBe(ECR_IMAGE_ACTION);
  });

  it('a failed push says FAILURE; a push by digest has no image-tag', () => {
    const failed = imagePushEvent({
      identifier: `${REGISTRY}/payments:latest`,
      digest: DIGEST,
      at: AT,
      result: 'FAILURE',
    });
    expect(failed).toEqual({ ...loadFixture<object>('ecr/image-push-failed'), id: expect.any(String) });
    const untagged = imagePushEvent({ identifier: `${REGISTRY}/payments@${DIGEST}`, digest: DIGEST, at: AT });
    expect(untagged).toEqual({ ...loadFixture<object>('ecr/image-push-untagged'), id: expect.any(String) });
    expect(untagged?.detail).not.toHaveProperty('image-tag');
  });

  it('carries the account and region of the registry pushed to, not of the guard', () => {
    const event = imagePushEvent({
      identifier: '444455556666.dkr.ecr.eu-west-1.amazonaws.com/shared/base:2026.11',
      digest: DIGEST,
      at: AT,
    });
    expect(event).toMatchObject({
      account: '444455556666',
      region: 'eu-west-1',
      detail: { 'repository-name': 'shared/base', 'image-tag': '2026.11' },
    });
  });

  it('is not emitted for ECR Public (it has no such event)', () => {
    expect(imagePushEvent({ identifier: 'public.ecr.aws/acme/web:latest', digest: DIGEST, at: AT })).toBe(
      undefined,
    );
  });

  it('two pushes at different times are two events', () => {
    const a = imagePushEvent({ identifier: `${REGISTRY}/payments:latest`, digest: DIGEST, at: AT });
    const b = imagePushEvent({ identifier: `${REGISTRY}/payments:latest`, digest: DIGEST, at: AT + 1000 });
    expect(a?.id).not.toBe(b?.id);
  });

  it('no deployed rule takes it yet', () => {
    const routes = loadRoutes(ROOT);
    const event = imagePushEvent({ identifier: `${REGISTRY}/payments:latest`, digest: DIGEST, at: AT });
    expect(routeEvent(routes, event)).toEqual([]);
  });
});
