import type { CommandRun, CommandSpec, Io, OptionSpecs } from '../../cli/args.ts';
import { runCommand } from '../../cli/args.ts';
import { main } from '../../cli/guard.ts';

/** What a user sees from one `guard …` run. */
export interface GuardRun {
  code: number;
  out: string;
  err: string;
}

/** An Io that records stdout and stderr; `env` replaces the process environment entirely. */
export function captureIo(env: Record<string, string | undefined>, errIsTTY = false) {
  const seen = { out: '', err: '' };
  const io: Io = {
    env,
    errIsTTY,
    out: (t) => {
      seen.out += t;
    },
    err: (t) => {
      seen.err += t;
    },
  };
  return { io, seen };
}

/** Runs `guard <argv…>` in-process, as the binary does. */
export async function runGuard(
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<GuardRun> {
  const { io, seen } = captureIo(env);
  const code = await main(argv, io);
  return { code, ...seen };
}

/** Runs one command's implementation through the shared parser (to inject fakes into it). */
export async function runWith<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  run: CommandRun<O>,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<GuardRun> {
  const { io, seen } = captureIo(env);
  const code = await runCommand(spec, args, io, run);
  return { code, ...seen };
}
