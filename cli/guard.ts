#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { routeFiles } from './route.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `apprunner-guard — keeps AWS App Runner services safe and cheap

Usage:
  guard route <event.json|dir|'glob'>...   which functions each event triggers (JSON lines)
  guard rollback <service|arn> [--to <digest>] [--force] [--dry-run] [--region r]
                                           pin a service to a known-good image digest
  guard schedule plan [--at <time>] [--schedule <name>] [--fleet <file.json>]
                                           what each pause/resume schedule would do, and why
  guard pause|resume <service|arn> [--dry-run] [--until <time>]
                                           pause/resume by hand with the schedules' safety checks
  guard sandbox [scenario] [--json]        run a scenario on the local AWS stand-in (default: the demo)
  guard replay <event.json> [--json]       run one event (or Scheduler payload) through the sandbox
  guard help                               this text
`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  sandbox: async (args) => (await import('./sandbox.ts')).sandboxCommand(args),
  replay: async (args) => (await import('./replay.ts')).replayCommand(args),
  rollback: async (args) => (await import('./rollback.ts')).rollbackCommand(args),
  schedule: async (args) => (await import('./schedule.ts')).scheduleCommand(args),
  pause: async (args) => (await import('./pause-resume.ts')).manualCommand('pause')(args),
  resume: async (args) => (await import('./pause-resume.ts')).manualCommand('resume')(args),
  async route(args) {
    if (args.length === 0) {
      process.stderr.write('guard route: give at least one event file, directory or glob\n');
      return 2;
    }
    let status = 0;
    for (const line of routeFiles(ROOT, args)) {
      if (line.error) status = 1;
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    return status;
  },
  async help() {
    process.stdout.write(USAGE);
    return 0;
  },
};

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...rest] = argv;
  const command = commands[name];
  if (!command) {
    process.stderr.write(`guard: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
