import { describe, expect, it } from 'vitest';
import {
  createLiveTargets,
  createTargets,
  listedAccounts,
  ORGANIZATIONAL_UNIT_MAX_AGE_MS,
  parseTargets,
  TargetsError,
} from '../../lib/targets.ts';

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

describe('createLiveTargets (organisational units read through Organizations)', () => {
  const OU = 'ou-ab12-cdefgh34';
  const LISTED = '123456789012';
  const setting = parseTargets(`${OU}:eu-west-1,us-east-1; ${LISTED}:eu-west-1`);
  const organization = (accounts: string[][]) => {
    const calls: string[] = [];
    let call = 0;
    return {
      calls,
      resolveUnit: async (unit: string) => {
        calls.push(unit);
        const answer = accounts[Math.min(call++, accounts.length - 1)]!;
        return answer;
      },
    };
  };

  it('answers nothing before the first reading, rather than fewer accounts than configured', () => {
    const targets = createLiveTargets(setting, HUB, organization([[LISTED]]));
    expect(targets.hub).toEqual(HUB);
    expect(() => targets.isTarget(LISTED, 'eu-west-1')).toThrow(/ou-ab12-cdefgh34 have not been resolved/);
    expect(() => targets.listTargets()).toThrow(TargetsError);
  });

  it('reads the units once for concurrent callers, and lists an account named twice once', async () => {
    const org = organization([[LISTED, '210987654321']]);
    const targets = createLiveTargets(setting, HUB, { ...org, now: () => 0 });
    await Promise.all([targets.refresh(), targets.refresh(), targets.refresh()]);
    expect(org.calls).toEqual([OU]);
    expect(targets.listTargets()).toEqual([
      HUB,
      { account: LISTED, region: 'eu-west-1' },
      { account: LISTED, region: 'us-east-1' },
      { account: '210987654321', region: 'eu-west-1' },
      { account: '210987654321', region: 'us-east-1' },
    ]);
    expect(targets.isTarget('210987654321', 'us-east-1')).toBe(true);
    expect(targets.isTarget('999988887777', 'eu-west-1')).toBe(false);
  });

  it('reads the units again after the maximum age: an account added to the unit becomes a target, one removed stops being one', async () => {
    let now = 0;
    const org = organization([['210987654321'], ['333344445555']]);
    const targets = createLiveTargets(setting, HUB, { ...org, now: () => now });
    await targets.refresh();
    now = ORGANIZATIONAL_UNIT_MAX_AGE_MS - 1;
    await targets.refresh();
    expect(org.calls).toHaveLength(1);
    expect(targets.isTarget('333344445555', 'eu-west-1')).toBe(false);
    now = ORGANIZATIONAL_UNIT_MAX_AGE_MS;
    await targets.refresh();
    expect(org.calls).toHaveLength(2);
    expect(targets.isTarget('333344445555', 'eu-west-1')).toBe(true);
    expect(targets.isTarget('210987654321', 'eu-west-1')).toBe(false);
  });

  it('keeps the last reading when a later one fails, throws the failure, and tries again at the next call', async () => {
    let now = 0;
    let fail = false;
    const targets = createLiveTargets(setting, HUB, {
      resolveUnit: async () => {
        if (fail) throw new Error('Organizations is down');
        return ['210987654321'];
      },
      now: () => now,
    });
    await targets.refresh();
    fail = true;
    now = ORGANIZATIONAL_UNIT_MAX_AGE_MS;
    await expect(targets.refresh()).rejects.toThrow('Organizations is down');
    expect(targets.isTarget('210987654321', 'eu-west-1')).toBe(true);
    fail = false;
    await targets.refresh();
    expect(targets.isTarget('210987654321', 'us-east-1')).toBe(true);
  });

  it('never reads Organizations when no unit is listed', async () => {
    const org = organization([[]]);
    const targets = createLiveTargets(parseTargets(`${LISTED}:eu-west-1`), HUB, org);
    expect(targets.isTarget(LISTED, 'eu-west-1')).toBe(true);
    await targets.refresh();
    expect(org.calls).toEqual([]);
  });
});
