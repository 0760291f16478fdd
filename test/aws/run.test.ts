import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmAccount, newPrefix, RefusalError } from './real-guards.ts';
import { main, USAGE } from './run.ts';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());

async function run(...argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(
    argv,
    { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) },
    { AWS_REGION: 'eu-west-1' },
  );
  return { code, ...out };
}

const REAL = [
  '--real',
  '--stack',
  'apprunner-guard-dev',
  '--topic-arn',
  'arn:aws:sns:eu-west-1:123456789012:t',
];

describe('npm run test:aws (options)', () => {
  it('--help prints the usage on stdout and exits 0', async () => {
    const r = await run('--help');
    expect(r).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(USAGE).toContain('--confirm-account');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--flow'], "Option '--flow <value>' argument missing"],
    [['--flow', 'nope'], 'unknown flow "nope"'],
    [['--grace-minutes', '0'], '--grace-minutes must be a whole number'],
    [['--confirm-account', '123456789012'], '--confirm-account only applies with --real'],
    [['--real', '--confirm-account', '123456789012'], '--real needs --stack'],
  ])('%j prints the error and the usage on stderr and exits 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(USAGE);
    expect(sts.calls()).toEqual([]);
  });

  it('--real without --confirm-account refuses before any AWS call', async () => {
    const r = await run(...REAL);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/add --confirm-account <the 12-digit account id>/);
    expect(r.stdout).toBe('');
    expect(sts.calls()).toEqual([]);
  });

  it('--real refuses when the credentials belong to another account than the one confirmed', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '999988887777', Arn: 'arn:aws:iam::999988887777:user/ci' });
    const r = await run(...REAL, '--confirm-account', '123456789012');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'the credentials belong to account 999988887777 (arn:aws:iam::999988887777:user/ci), not 123456789012',
    );
    expect(r.stdout).toBe('');
  });
});

describe('confirmAccount', () => {
  it('refuses a malformed account id without calling STS', async () => {
    await expect(confirmAccount(new STSClient({}), '1234')).rejects.toThrow(
      new RefusalError('--confirm-account must be a 12-digit AWS account id, got "1234"'),
    );
    expect(sts.calls()).toEqual([]);
  });

  it('returns the identity when the account matches', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me' });
    await expect(confirmAccount(new STSClient({}), '123456789012')).resolves.toEqual({
      account: '123456789012',
      arn: 'arn:aws:iam::123456789012:user/me',
    });
  });
});

describe('newPrefix', () => {
  it('is agtest- and 6 hex digits, different each time', () => {
    const a = newPrefix();
    expect(a).toMatch(/^agtest-[0-9a-f]{6}$/);
    expect(new Set(Array.from({ length: 20 }, newPrefix)).size).toBeGreaterThan(15);
  });
});
