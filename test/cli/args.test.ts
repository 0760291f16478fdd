import { describe, expect, it } from 'vitest';
import { createProgress, defineCommand, formatHelp, parseInvocation, UsageError } from '../../cli/args.ts';
import { ConfigError } from '../../lib/config.ts';
import { captureIo, runWith } from './support.ts';

const SPEC = defineCommand({
  name: 'demo thing',
  args: '<name>',
  positionals: { min: 1, max: 1 },
  summary: 'a demo',
  description: 'Does a demo thing.',
  options: {
    to: { type: 'string', value: '<where>', help: 'where to go' },
    'dry-run': { type: 'boolean', help: 'change nothing' },
    verbose: { type: 'boolean', short: 'v', help: 'say more' },
  },
  notes: 'Exit status: 0 fine.',
});

const error = (args: string[]) => {
  try {
    parseInvocation(SPEC, args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  return undefined;
};

describe('parseInvocation', () => {
  it('parses options and positionals, typed by the declaration', () => {
    expect(parseInvocation(SPEC, ['web', '--to', 'x', '--dry-run', '-v'])).toEqual({
      values: { to: 'x', 'dry-run': true, verbose: true },
      positionals: ['web'],
    });
    expect(parseInvocation(SPEC, ['--to=y', 'web'])).toMatchObject({ values: { to: 'y' } });
  });

  it('answers help for --help or -h anywhere before --, whatever else is wrong on the line', () => {
    expect(parseInvocation(SPEC, ['--help'])).toBe('help');
    expect(parseInvocation(SPEC, ['a', 'b', '--nope', '-h'])).toBe('help');
    expect(parseInvocation(SPEC, ['--', '--help'])).not.toBe('help');
  });

  it('rejects an unknown option, a missing value, a missing or an extra positional', () => {
    expect(error(['web', '--nope'])).toBe('unknown option "--nope"');
    expect(error(['web', '--to'])).toMatch(/--to/);
    expect(error(['web', '--to', '--dry-run'])).toMatch(/--to/);
    expect(error(['--dry-run'])).toBe('missing <name>');
    expect(error(['web', 'extra'])).toBe('unexpected argument "extra"');
    expect(error(['web', '--dry-run=yes'])).toMatch(/--dry-run/);
  });

  it('refuses a declaration that redefines --help', () => {
    expect(() => defineCommand({ ...SPEC, options: { help: { type: 'boolean', help: 'mine' } } })).toThrow(
      /--help/,
    );
  });
});

describe('formatHelp', () => {
  it('is generated from the declaration: usage line, description, every option with its value, notes', () => {
    const help = formatHelp(SPEC);
    expect(help.split('\n')[0]).toBe('Usage: guard demo thing <name> [options]');
    expect(help).toContain('Does a demo thing.');
    expect(help).toMatch(/--to <where>\s+where to go/);
    expect(help).toMatch(/-v, --verbose\s+say more/);
    expect(help).toMatch(/-h, --help\s+print this help and exit/);
    expect(help).toContain('Exit status: 0 fine.');
  });
});

describe('runCommand', () => {
  const ok = async () => 0;

  it('prints help on stdout with exit 0 and does not run the command', async () => {
    let ran = false;
    const r = await runWith(SPEC, async () => {
      ran = true;
      return 0;
    }, ['--help']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(formatHelp(SPEC));
    expect(ran).toBe(false);
  });

  it('prints a usage error and the help on stderr with exit 2', async () => {
    const r = await runWith(SPEC, ok, ['web', '--nope']);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(`guard demo thing: unknown option "--nope"\n\n${formatHelp(SPEC)}`);
  });

  it("turns the command's own UsageError into exit 2 with the help, and a ConfigError into exit 2", async () => {
    const bad = await runWith(SPEC, async () => {
      throw new UsageError('--to must be a place');
    }, ['web']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^guard demo thing: --to must be a place\n\nUsage:/);
    const config = await runWith(SPEC, async () => {
      throw new ConfigError('configuration is missing: LEDGER_TABLE is required');
    }, ['web']);
    expect(config).toMatchObject({
      code: 2,
      err: 'guard demo thing: configuration is missing: LEDGER_TABLE is required\n',
    });
  });

  it("returns the command's exit code and lets other errors through", async () => {
    expect((await runWith(SPEC, async () => 1, ['web'])).code).toBe(1);
    await expect(
      runWith(SPEC, async () => {
        throw new Error('boom');
      }, ['web']),
    ).rejects.toThrow('boom');
  });
});

describe('createProgress', () => {
  it('writes and clears a progress line on stderr when it is a terminal', () => {
    const { io, seen } = captureIo({}, true);
    const progress = createProgress(io);
    progress.update('step 1');
    progress.done();
    expect(seen.err).toBe('\r\x1b[2Kstep 1\r\x1b[2K');
    expect(seen.out).toBe('');
  });

  it('writes nothing when stderr is not a terminal (CI, pipes)', () => {
    const { io, seen } = captureIo({}, false);
    const progress = createProgress(io);
    progress.update('step 1');
    progress.done();
    expect(seen).toEqual({ out: '', err: '' });
  });
});
