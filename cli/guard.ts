#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CommandSpec, type Io, processIo, runCommand } from './args.ts';
import { COMMANDS, type CommandEntry, GROUPS } from './commands.ts';

/** The package version, from package.json (one place). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

type Line = Pick<CommandSpec, 'name' | 'args' | 'summary'>;

function commandLines(specs: readonly Line[]): string[] {
  const rows = specs.map((s) => [`${s.name}${s.args ? ` ${s.args}` : ''}`, s.summary] as const);
  const width = Math.max(...rows.map(([left]) => left.length)) + 3;
  return rows.map(([left, summary]) => `  ${left.padEnd(width)}${summary}`);
}

/** `guard help`: every command, from the declarations in cli/commands.ts. */
export function formatUsage(): string {
  return [
    `apprunner-guard ${packageVersion()}: keeps AWS App Runner services safe and cheap`,
    '',
    'Usage: guard <command> [options]',
    '',
    'Commands:',
    ...commandLines([
      ...COMMANDS.map((c) => c.spec),
      { name: 'help', args: '[command]', summary: "this text, or a command's help" },
    ]),
    '',
    'Options:',
    '  -h, --help     print this help and exit',
    '  --version      print the version and exit',
    '',
    "Run `guard <command> --help` for a command's options.",
    '',
  ].join('\n');
}

function formatGroupUsage(group: string): string {
  return [
    `Usage: guard ${group} <subcommand> [options]`,
    '',
    `${GROUPS[group]}.`,
    '',
    'Subcommands:',
    ...commandLines(COMMANDS.map((c) => c.spec).filter((s) => s.name.startsWith(`${group} `))),
    '',
    `Run \`guard ${group} <subcommand> --help\` for its options.`,
    '',
  ].join('\n');
}

/**
 * Finds the command named by the first words of `argv` (the longest name that matches, so `dlq
 * redrive` wins over `dlq`): the entry and the arguments after its name.
 */
function findCommand(argv: readonly string[]): { entry: CommandEntry; args: readonly string[] } | undefined {
  let found: { entry: CommandEntry; args: readonly string[] } | undefined;
  for (const entry of COMMANDS) {
    const words = entry.spec.name.split(' ');
    if (!words.every((w, i) => argv[i] === w)) continue;
    if (!found || words.length > argv.length - found.args.length)
      found = { entry, args: argv.slice(words.length) };
  }
  return found;
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

/** Runs the CLI; returns the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || isHelp(first)) {
    if (first === 'help' && second !== undefined) return main([...argv.slice(1), '--help'], io);
    io.out(formatUsage());
    return 0;
  }
  if (first === '--version') {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (found) {
    return runCommand(found.entry.spec, found.args, io, async (invocation, cmdIo) =>
      (await found.entry.load())(invocation, cmdIo),
    );
  }
  if (first in GROUPS) {
    if (isHelp(second)) {
      io.out(formatGroupUsage(first));
      return 0;
    }
    const problem = second === undefined ? 'missing subcommand' : `unknown subcommand "${second}"`;
    io.err(`guard ${first}: ${problem}\n\n${formatGroupUsage(first)}`);
    return 2;
  }
  const problem = first.startsWith('-') ? `unknown option "${first}"` : `unknown command "${first}"`;
  io.err(`guard: ${problem}\n\n${formatUsage()}`);
  return 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
