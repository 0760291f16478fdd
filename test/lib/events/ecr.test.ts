import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../lib/core/errors.ts';
import { parseImagePushEvent } from '../../../lib/events/ecr.ts';
import { createTargets, parseTargets } from '../../../lib/targets.ts';
import { hubTargets } from '../../support/env.ts';
import { loadFixture } from '../../support/fixtures.ts';

const parse = (raw: unknown) => parseImagePushEvent(raw, { targets: hubTargets() });
const fixture = (name: string) =>
  loadFixture<Record<string, unknown> & { detail: Record<string, unknown> }>(name);

describe('parseImagePushEvent (ECR Image Action, kebab-case detail)', () => {
  it('reads a successful push of a tag, with the repository as image identifiers name it', () => {
    expect(parse(fixture('ecr/image-push'))).toMatchObject({
      repositoryName: 'payments',
      repository: '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments',
      tag: 'latest',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("accepts a push to a target spoke's registry, and rejects an account or region outside the targets", () => {
    const targets = createTargets(parseTargets('222233334444:eu-west-1'), {
      account: '111122223333',
      region: 'us-east-1',
    });
    const push = (account: string, region: string) => ({ ...fixture('ecr/image-push'), account, region });
    expect(parseImagePushEvent(push('222233334444', 'eu-west-1'), { targets })).toMatchObject({
      repository: '222233334444.dkr.ecr.eu-west-1.amazonaws.com/payments',
    });
    expect(() => parseImagePushEvent(push('999988887777', 'eu-west-1'), { targets })).toThrow(/^account: /);
    expect(() => parseImagePushEvent(push('222233334444', 'us-east-1'), { targets })).toThrow(/^region: /);
  });

  it('a failed push and a push by digest are parsed but ignored', () => {
    expect(parse(fixture('ecr/image-push-failed'))).toMatchObject({
      ignored: expect.stringContaining('FAILURE'),
    });
    expect(parse(fixture('ecr/image-push-untagged'))).toMatchObject({
      ignored: expect.stringContaining('by digest'),
    });
  });

  it.each([
    ['account', (e: Record<string, unknown>) => ({ ...e, account: '999999999999' })],
    ['source', (e: Record<string, unknown>) => ({ ...e, source: 'aws.apprunner' })],
    [
      'detail.image-digest',
      (e: Record<string, unknown> & { detail: Record<string, unknown> }) => ({
        ...e,
        detail: { ...e.detail, 'image-digest': 'latest' },
      }),
    ],
    [
      'detail.repository-name',
      (e: Record<string, unknown> & { detail: Record<string, unknown> }) => ({
        ...e,
        detail: { ...e.detail, 'repository-name': 'Payments Service' },
      }),
    ],
  ] as const)('rejects a bad %s, naming it', (field, mutate) => {
    const raw = mutate(fixture('ecr/image-push') as never);
    expect(() => parse(raw)).toThrow(InvalidEventError);
    expect(() => parse(raw)).toThrow(field);
  });
});
