import { describe, expect, it } from 'vitest';
import { isPinnedImage, parseImageIdentifier, pinnedImage } from '../../../lib/release/image.ts';

const D = `sha256:${'a'.repeat(64)}`;
const ECR = '111122223333.dkr.ecr.us-east-1.amazonaws.com';

describe('parseImageIdentifier', () => {
  it.each([
    [`${ECR}/payments:latest`, { repository: `${ECR}/payments`, tag: 'latest', registry: 'ecr' }],
    [`${ECR}/team/payments`, { repository: `${ECR}/team/payments`, tag: 'latest', registry: 'ecr' }],
    [`${ECR}/payments@${D}`, { repository: `${ECR}/payments`, digest: D, registry: 'ecr' }],
    [
      'public.ecr.aws/nginx/nginx:1.27',
      { repository: 'public.ecr.aws/nginx/nginx', tag: '1.27', registry: 'ecr-public' },
    ],
    ['registry.local:5000/app', { repository: 'registry.local:5000/app', tag: 'latest', registry: 'other' }],
  ])('%s', (identifier, expected) => {
    expect(parseImageIdentifier(identifier)).toMatchObject(expected);
  });

  it('gives private ECR coordinates', () => {
    expect(parseImageIdentifier(`${ECR}/team/payments:v1`).ecr).toEqual({
      account: '111122223333',
      region: 'us-east-1',
      repositoryName: 'team/payments',
    });
  });

  it('rejects a digest part that is not sha256', () => {
    expect(() => parseImageIdentifier(`${ECR}/payments@latest`)).toThrow('not a sha256 digest');
  });
});

describe('pinnedImage', () => {
  it('pins a repository to a digest', () => {
    expect(pinnedImage(`${ECR}/payments`, D)).toBe(`${ECR}/payments@${D}`);
    expect(isPinnedImage(pinnedImage(`${ECR}/payments`, D))).toBe(true);
  });

  it('never builds a tag reference', () => {
    expect(() => pinnedImage(`${ECR}/payments`, 'latest')).toThrow('not a sha256 digest');
    expect(() => pinnedImage(`${ECR}/payments:latest`, D)).toThrow('carries a tag');
    expect(isPinnedImage(`${ECR}/payments:latest`)).toBe(false);
  });
});
