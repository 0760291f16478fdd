/**
 * The one argument parser of `guard`: every command declares its positionals and options once, as a
 * {@link CommandSpec}; {@link runCommand} parses with `node:util` `parseArgs` (strict), prints the
 * command's help on stdout for `--help`/`-h` (exit 0), and prints any usage error followed by the
 * help on stderr (exit 2). Help text is generated from the same declaration, so it cannot drift
 * from what the parser accepts.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../lib/config.ts';

/** One option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
  /** Placeholder for a string option's value in the help: `--to <digest>`. */
  readonly value?: string;
  /** What it does, one line in the help. */
  readonly help: string;
}

/** A command's options, by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A command's declaration: everything the parser and the help text need. */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** The words after `guard`, e.g. `rollback` or `schedule plan`. */
  readonly name: string;
  /** The positionals as shown in the help, e.g. `<service-name|arn>`. */
  readonly args?: string;
  /** How many positionals are accepted (default: none). */
  readonly positionals?: { readonly min: number; readonly max: number };
  /** One line for `guard help`. */
  readonly summary: string;
  /** What the command does (wrapped text, shown under the usage line). */
  readonly description: string;
  readonly options: O;
  /** Environment, exit status and other notes shown after the options. */
  readonly notes?: string;
}

/** Parsed option values: strings for string options, booleans for flags; absent when not given. */
export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]?: NonNullable<O[K]>['type'] extends 'string' ? string : boolean;
};

/** A parsed command line. */
export interface Invocation<O extends OptionSpecs = OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
}

/** Where a command reads its environment and writes its output (tests pass their own). */
export interface Io {
  readonly env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: only then is progress shown (JSON on stdout stays clean). */
  readonly errIsTTY?: boolean;
}

/** The real process. */
export const processIo: Io = {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
};

/** A command's implementation: returns the exit code. */
export type CommandRun<O extends OptionSpecs = OptionSpecs> = (
  invocation: Invocation<O>,
  io: Io,
) => Promise<number>;

/** A bad command line (exit 2, with the usage): thrown by the parser or by a command's own checks. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const HELP_OPTION = { type: 'boolean', short: 'h', help: 'print this help and exit' } as const;

/** Declares a command; keeps the option types literal so {@link Invocation} is precise. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  for (const [name, o] of Object.entries(spec.options)) {
    if (name === 'help' || o.short === 'h') throw new Error(`guard ${spec.name}: --help/-h is built in`);
  }
  return spec;
}

/** The command's help: usage line, description, options, notes. */
export function formatHelp(spec: CommandSpec): string {
  const options = Object.entries<OptionSpec>({ ...spec.options, help: HELP_OPTION }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`;
    return [flag, o.help] as const;
  });
  const width = Math.max(...options.map(([flag]) => flag.length)) + 2;
  return [
    `Usage: guard ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]`,
    '',
    spec.description.trimEnd(),
    '',
    'Options:',
    ...options.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
    ...(spec.notes ? ['', spec.notes.trimEnd()] : []),
    '',
  ].join('\n');
}

/**
 * Parses a command line against its declaration. Returns `'help'` when `--help`/`-h` is given
 * (whatever else is on the line); throws {@link UsageError} for an unknown option, a missing or
 * ambiguous value, or too few or too many positionals.
 */
export function parseInvocation<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  args: readonly string[],
): Invocation<O> | 'help' {
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) return 'help';
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error as Error & { code?: string }));
  }
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  const positionals = parsed.positionals;
  if (positionals.length < min) {
    throw new UsageError(`missing ${spec.args ?? 'argument'}`);
  }
  if (positionals.length > max) {
    throw new UsageError(`unexpected argument "${positionals[max]}"`);
  }
  return { values: parsed.values as OptionValues<O>, positionals };
}

/** parseArgs' messages, shortened where they are long (an unknown option) and kept otherwise. */
function parseErrorMessage(error: Error & { code?: string }): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return `unknown option "${unknown[1]}"`;
  return error.message;
}

/**
 * Runs a command: parse, then help (stdout, 0), usage error (stderr with the help, 2), a missing
 * or invalid setting (stderr, 2), or the command's own exit code.
 */
export async function runCommand<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  args: readonly string[],
  io: Io,
  run: CommandRun<O>,
): Promise<number> {
  try {
    const invocation = parseInvocation(spec, args);
    if (invocation === 'help') {
      io.out(formatHelp(spec));
      return 0;
    }
    return await run(invocation, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`guard ${spec.name}: ${error.message}\n\n${formatHelp(spec)}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(`guard ${spec.name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** A one-line progress display on stderr, shown only when stderr is a terminal. */
export interface Progress {
  update(text: string): void;
  /** Clears the line. */
  done(): void;
}

/** Progress for long work; a no-op unless `io.errIsTTY`, so piped and CI output stay unchanged. */
export function createProgress(io: Io): Progress {
  if (!io.errIsTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text) {
      io.err(`\r\x1b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) io.err('\r\x1b[2K');
      shown = false;
    },
  };
}
