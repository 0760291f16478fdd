import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatHelp } from '../../cli/args.ts';
import { COMMANDS, GROUPS } from '../../cli/commands.ts';
import { formatUsage, main } from '../../cli/guard.ts';
import { captureIo, runGuard } from './support.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** A command line that satisfies a command's positionals, so only the option under test is wrong. */
function validPositionals(min: number): string[] {
  return Array.from({ length: min }, (_, i) => `arg${i + 1}`);
}

const commands = COMMANDS.map((c) => ({ name: c.spec.name, spec: c.spec }));

describe('every command', () => {
  it.each(commands)('guard $name --help and -h: its help on stdout, exit 0', async ({ name, spec }) => {
    for (const flag of ['--help', '-h']) {
      const r = await runGuard([...name.split(' '), flag]);
      expect(r).toEqual({ code: 0, out: formatHelp(spec), err: '' });
    }
    expect(formatHelp(spec)).toMatch(new RegExp(`^Usage: guard ${name}`));
  });

  it.each(commands)('guard help $name prints the same help', async ({ name, spec }) => {
    expect(await runGuard(['help', ...name.split(' ')])).toEqual({ code: 0, out: formatHelp(spec), err: '' });
  });

  it.each(commands)(
    'guard $name with an unknown option: the error and its usage on stderr, exit 2',
    async ({ name, spec }) => {
      const r = await runGuard([
        ...name.split(' '),
        ...validPositionals(spec.positionals?.min ?? 0),
        '--no-such-option',
      ]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe(`guard ${name}: unknown option "--no-such-option"\n\n${formatHelp(spec)}`);
    },
  );

  const withValues = commands.flatMap(({ name, spec }) =>
    Object.entries(spec.options)
      .filter(([, o]) => o.type === 'string')
      .map(([option]) => ({ name, spec, option })),
  );

  it.each(withValues)(
    'guard $name --$option without its value: exit 2 with usage',
    async ({ name, spec, option }) => {
      const r = await runGuard([
        ...name.split(' '),
        ...validPositionals(spec.positionals?.min ?? 0),
        `--${option}`,
      ]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(`guard ${name}: Option '--${option} <value>' argument missing`);
      expect(r.err).toContain(formatHelp(spec));
    },
  );

  const bounded = commands.filter(({ spec }) => Number.isFinite(spec.positionals?.max ?? 0));
  it.each(bounded)('guard $name with one positional too many: exit 2 with usage', async ({ name, spec }) => {
    const args = validPositionals((spec.positionals?.max ?? 0) + 1);
    const r = await runGuard([...name.split(' '), ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`guard ${name}: unexpected argument "${args.at(-1)}"\n\n${formatHelp(spec)}`);
  });

  const required = commands.filter(({ spec }) => (spec.positionals?.min ?? 0) > 0);
  it.each(required)('guard $name without its $spec.args: exit 2 with usage', async ({ name, spec }) => {
    const r = await runGuard(name.split(' '));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`guard ${name}: missing ${spec.args}\n\n${formatHelp(spec)}`);
  });
});

describe('guard', () => {
  it('--help, -h, help and no arguments print every command on stdout, exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], []]) {
      const r = await runGuard(argv);
      expect(r).toEqual({ code: 0, out: formatUsage(), err: '' });
    }
    for (const c of COMMANDS) expect(formatUsage()).toContain(`  ${c.spec.name}`);
  });

  it('--version prints the package version, exit 0', async () => {
    expect(await runGuard(['--version'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
  });

  it('an unknown command or option: the error and the usage on stderr, exit 2', async () => {
    expect(await runGuard(['deploy'])).toEqual({
      code: 2,
      out: '',
      err: `guard: unknown command "deploy"\n\n${formatUsage()}`,
    });
    expect(await runGuard(['--verbose'])).toMatchObject({
      code: 2,
      out: '',
      err: expect.stringContaining('unknown option "--verbose"'),
    });
    expect(await runGuard(['help', 'deploy'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown command "deploy"'),
    });
  });

  it.each(Object.keys(GROUPS))(
    '%s: --help lists its subcommands (exit 0); a missing or unknown one exits 2',
    async (group) => {
      const help = await runGuard([group, '--help']);
      expect(help.code).toBe(0);
      for (const c of COMMANDS.filter((c) => c.spec.name.startsWith(`${group} `)))
        expect(help.out).toContain(c.spec.name);
      expect(await runGuard([group, 'help'])).toEqual(help);
      expect(await runGuard([group])).toMatchObject({
        code: 2,
        out: '',
        err: expect.stringContaining('missing subcommand'),
      });
      expect(await runGuard([group, 'frobnicate'])).toMatchObject({
        code: 2,
        err: expect.stringContaining('unknown subcommand "frobnicate"'),
      });
    },
  );

  it('the installed binary answers --help and --version with exit 0 (bin/guard.js through tsx)', async () => {
    const run = promisify(execFile);
    const bin = new URL('../../bin/guard.js', import.meta.url).pathname;
    const help = await run(process.execPath, [bin, 'schedule', 'plan', '--help']);
    expect(help.stdout).toMatch(/^Usage: guard schedule plan/);
    const version = await run(process.execPath, [bin, '--version']);
    expect(version.stdout).toBe(`${VERSION}\n`);
    await expect(run(process.execPath, [bin, 'resume', 'web', '--until'])).rejects.toMatchObject({ code: 2 });
  });
});

describe('settings come from lib/config.ts and a missing one is named (exit 2, nothing done)', () => {
  it.each([
    [['pause', 'web'], 'AWS_REGION is required'],
    [['resume', 'web'], 'AWS_REGION is required'],
    [['schedule', 'plan'], 'AWS_REGION is required'],
    [['rollback', 'web'], 'LEDGER_TABLE is required'],
    [['dlq'], 'GUARD_STACK_NAME is required'],
    [['dlq', 'redrive'], 'GUARD_STACK_NAME is required'],
  ])('guard %j', async (argv, message) => {
    const r = await runGuard(argv, {});
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});

describe('progress', () => {
  it('goes to stderr only when it is a terminal, and stdout stays clean JSON', async () => {
    const event = 'events/apprunner-operation/deployment-failed.json';
    const tty = captureIo(process.env, true);
    expect(await main(['replay', event, '--json'], tty.io)).toBe(0);
    expect(JSON.parse(tty.seen.out)).toMatchObject({ scenario: { name: 'replay' } });
    expect(tty.seen.err).toMatch(/sandbox: simulated 2026-.*timeline entries/);

    const piped = captureIo(process.env, false);
    expect(await main(['replay', event, '--json'], piped.io)).toBe(0);
    expect(piped.seen.err).toBe('');
  });
});
