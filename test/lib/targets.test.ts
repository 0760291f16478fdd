import { describe, expect, it } from 'vitest';
import { createTargets, listedAccounts, parseTargets, TargetsError } from '../../lib/targets.ts';

const HUB = { account: '111122223333', region: 'eu-west-1' };
const targetsOf = (text: string | undefined, ous: Record<string, string[]> = {}) =>
  createTargets(parseTargets(text), HUB, ous);
const problemWith = (text: string) => {
  try {
    parseTargets(text);
  } catch (error) {
    expect(error).toBeInstanceOf(TargetsError);
    return (error as Error).message;
  }
  throw new Error(`"${text}" was accepted`);
};

describe('targets', () => {
  it('is the hub only when the setting is unset or empty (what a guard without targets watches)', () => {
    for (const text of [undefined, '', '  ', ';\n']) {
      const targets = targetsOf(text);
      expect(targets.listTargets()).toEqual([HUB]);
      expect(targets.isTarget('111122223333', 'eu-west-1')).toBe(true);
      expect(targets.isTarget('111122223333', 'us-east-1')).toBe(false);
      expect(targets.isTarget('210987654321', 'eu-west-1')).toBe(false);
    }
  });

  it('lists every account × region, the hub first and always, each once', () => {
    const targets = targetsOf(
      '123456789012:eu-west-1,us-east-1; 210987654321:eu-west-1\n111122223333:eu-west-1,us-west-2',
    );
    expect(targets.listTargets()).toEqual([
      HUB,
      { account: '123456789012', region: 'eu-west-1' },
      { account: '123456789012', region: 'us-east-1' },
      { account: '210987654321', region: 'eu-west-1' },
      { account: '111122223333', region: 'us-west-2' },
    ]);
    expect(targets.isTarget('123456789012', 'us-east-1')).toBe(true);
    expect(targets.isTarget('210987654321', 'us-east-1')).toBe(false);
    expect(targets.isTarget('111122223333', 'us-west-2')).toBe(true);
  });

  it('hands out copies: a caller cannot change what is watched', () => {
    const targets = targetsOf('123456789012:eu-west-1');
    targets.listTargets()[1]!.account = '999999999999';
    expect(targets.isTarget('999999999999', 'eu-west-1')).toBe(false);
    expect(targets.listTargets()[1]!.account).toBe('123456789012');
  });

  it('accepts the regions of every partition by syntax', () => {
    const targets = targetsOf('123456789012:us-gov-west-1,cn-north-1,ap-southeast-5,us-isob-east-1');
    expect(targets.listTargets()).toHaveLength(5);
  });

  it('rejects malformed entries, naming the entry', () => {
    expect(problemWith('123456789012:eu-west-1;12345:eu-west-1')).toMatch(
      /entry 2 \("12345:eu-west-1"\).*neither a 12-digit account id nor an organisational unit/,
    );
    expect(problemWith('123456789012')).toMatch(
      /entry 1 \("123456789012"\) must be <account or OU>:<region>/,
    );
    expect(problemWith('123456789012:')).toMatch(/entry 1 .* lists no region/);
    expect(problemWith('123456789012:eu-west-1,Europe')).toMatch(/"Europe" is not a region name/);
    expect(problemWith('123456789012:eu-west-1,')).toMatch(/"" is not a region name/);
    expect(problemWith('1234567890123:eu-west-1')).toMatch(/neither a 12-digit account id/);
    expect(problemWith('ou-12:eu-west-1')).toMatch(
      /neither a 12-digit account id nor an organisational unit/,
    );
  });

  it('rejects duplicates: a region twice in an entry, an account or OU in two entries', () => {
    expect(problemWith('123456789012:eu-west-1,eu-west-1')).toMatch(
      /entry 1 .* lists region eu-west-1 twice/,
    );
    expect(problemWith('123456789012:eu-west-1;210987654321:eu-west-1;123456789012:us-east-1')).toMatch(
      /entry 3 \("123456789012:us-east-1"\) repeats 123456789012, already listed in entry 1/,
    );
    expect(problemWith('ou-ab12-cdefgh34:eu-west-1;ou-ab12-cdefgh34:us-east-1')).toMatch(
      /entry 2 .* repeats ou-ab12-cdefgh34/,
    );
  });

  it('takes an OU, whose accounts must be resolved before the targets can answer', () => {
    const setting = parseTargets('ou-ab12-cdefgh34:eu-west-1,us-east-1;123456789012:eu-west-1');
    expect(setting.entries[0]).toEqual({
      kind: 'organizational-unit',
      organizationalUnit: 'ou-ab12-cdefgh34',
      regions: ['eu-west-1', 'us-east-1'],
    });
    expect(listedAccounts(setting)).toEqual(['123456789012']);
    expect(() => createTargets(setting, HUB)).toThrow(/ou-ab12-cdefgh34 has not been resolved/);
    const targets = createTargets(setting, HUB, { 'ou-ab12-cdefgh34': ['210987654321', '111122223333'] });
    expect(targets.isTarget('210987654321', 'us-east-1')).toBe(true);
    expect(targets.isTarget('111122223333', 'us-east-1')).toBe(true);
    expect(targets.isTarget('123456789012', 'us-east-1')).toBe(false);
    expect(targets.listTargets()).toHaveLength(5);
    expect(() => createTargets(setting, HUB, { 'ou-ab12-cdefgh34': ['nope'] })).toThrow(
      /resolved to "nope", not a 12-digit account id/,
    );
  });

  it('rejects a malformed hub', () => {
    expect(() => createTargets(parseTargets(''), { account: '42', region: 'eu-west-1' })).toThrow(
      /hub account/,
    );
    expect(() => createTargets(parseTargets(''), { account: '111122223333', region: 'Ireland' })).toThrow(
      /hub region/,
    );
  });
});
