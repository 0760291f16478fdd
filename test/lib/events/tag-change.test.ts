import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../lib/core/errors.ts';
import { parseTagChange } from '../../../lib/events/tag-change.ts';
import { ACCOUNT_ID, hubTargets } from '../../support/env.ts';
import { loadFixture } from '../../support/fixtures.ts';

const parse = (raw: unknown) => parseTagChange(raw, { targets: hubTargets() });
type Raw = Record<string, unknown> & { detail: Record<string, unknown> };
const fixture = (name: string) => loadFixture<Raw>(name);
const ARN = 'arn:aws:apprunner:us-east-1:111122223333:service/payments-api/8fe1e10304f84fd2b0df550fe98a71fa';

describe('parseTagChange (Tag Change on Resource, an App Runner service)', () => {
  it('reads the service and the keys that changed (the tags themselves are read live, not trusted)', () => {
    expect(parse(fixture('tag/bake-opt-in-removed'))).toEqual({
      kind: 'tag-change',
      eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703000061',
      time: '2026-11-20T15:10:04.000Z',
      service: {
        arn: ARN,
        name: 'payments-api',
        id: '8fe1e10304f84fd2b0df550fe98a71fa',
        account: ACCOUNT_ID,
        region: 'us-east-1',
      },
      changedKeys: ['apprunner-guard:bake-minutes'],
    });
  });

  const mutations: Array<[string, (r: Raw) => void, string]> = [
    [
      'another AWS service',
      (r) => {
        r.detail.service = 'ec2';
      },
      'detail.service',
    ],
    [
      'a resource that is not a service',
      (r) => {
        r.resources = ['arn:aws:ec2:us-east-1:111122223333:instance/i-1'];
      },
      'resources',
    ],
    [
      'two resources',
      (r) => {
        r.resources = [ARN, ARN];
      },
      'resources',
    ],
    [
      'keys that are not a list',
      (r) => {
        r.detail['changed-tag-keys'] = 'apprunner-guard:alarms';
      },
      'detail.changed-tag-keys',
    ],
    [
      'a foreign account',
      (r) => {
        r.account = '999988887777';
      },
      'account',
    ],
  ];
  it.each(mutations)('rejects %s, naming the field', (_, mutate, field) => {
    const raw = fixture('tag/bake-opt-in-removed');
    mutate(raw);
    expect(() => parse(raw)).toThrow(InvalidEventError);
    try {
      parse(raw);
    } catch (error) {
      expect((error as InvalidEventError).message).toContain(field);
    }
  });

  it('invalid/tag-change-arn-mismatch (service ARN of another region) is rejected naming resources', () => {
    expect(() => parse(loadFixture('invalid/tag-change-arn-mismatch'))).toThrow(/resources/);
  });
});
