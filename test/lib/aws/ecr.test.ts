import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createImageDigestResolver } from '../../../lib/aws/ecr.ts';

const ecr = mockClient(ECRClient);
const resolver = createImageDigestResolver(new ECRClient({ region: 'us-east-1' }), { region: 'us-east-1' });
const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/payments';
const DIGEST = `sha256:${'a'.repeat(64)}`;

beforeEach(() => ecr.reset());

describe('image digest resolver', () => {
  it('takes the digest from an identifier that already names one, without calling ECR', async () => {
    expect(await resolver.resolve(`${REPO}@${DIGEST}`, 'ECR')).toEqual({
      kind: 'resolved',
      digest: DIGEST,
      repository: REPO,
      lookedUp: false,
    });
    expect(await resolver.resolve(`public.ecr.aws/nginx/nginx@${DIGEST}`, 'ECR_PUBLIC')).toMatchObject({
      kind: 'resolved',
      digest: DIGEST,
      repository: 'public.ecr.aws/nginx/nginx',
    });
    expect(ecr.calls()).toHaveLength(0);
  });

  it('resolves a private ECR tag with DescribeImages on that registry, repository and tag', async () => {
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [{ imageDigest: DIGEST, imagePushedAt: new Date('2026-11-20T10:00:00Z') }],
    });
    expect(await resolver.resolve(`${REPO}:v1.2`, 'ECR')).toEqual({
      kind: 'resolved',
      digest: DIGEST,
      repository: REPO,
      pushedAt: '2026-11-20T10:00:00.000Z',
      lookedUp: true,
    });
    expect(ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({
      registryId: '111122223333',
      repositoryName: 'team/payments',
      imageIds: [{ imageTag: 'v1.2' }],
    });
  });

  it('reads a missing tag as latest', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    await resolver.resolve(REPO, 'ECR');
    expect(ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input.imageIds).toEqual([
      { imageTag: 'latest' },
    ]);
  });

  it('reports a deleted tag or repository as unresolvable, not as an error', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ImageNotFoundException' }));
    expect(await resolver.resolve(`${REPO}:gone`, 'ECR')).toMatchObject({
      kind: 'unresolvable',
      repository: REPO,
      reason: expect.stringContaining('ImageNotFoundException'),
    });
  });

  it('lets throttling propagate for the handler to retry', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    ecr.on(DescribeImagesCommand).rejects(throttled);
    await expect(resolver.resolve(`${REPO}:v1`, 'ECR')).rejects.toThrow('slow down');
  });

  it('cannot resolve ECR Public tags, and says what to do instead', async () => {
    const out = await resolver.resolve('public.ecr.aws/nginx/nginx:latest', 'ECR_PUBLIC');
    expect(out).toMatchObject({ kind: 'unresolvable', repository: 'public.ecr.aws/nginx/nginx' });
    expect(out.kind === 'unresolvable' && out.reason).toMatch(/by digest/);
    expect(ecr.calls()).toHaveLength(0);
  });

  it('does not query another region', async () => {
    const out = await resolver.resolve('111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments:v1', 'ECR');
    expect(out).toMatchObject({ kind: 'unresolvable' });
    expect(ecr.calls()).toHaveLength(0);
  });
});
