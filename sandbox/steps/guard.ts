import * as z from 'zod';
import { runCommand } from '../../cli/args.ts';
import { PAUSE, RESUME } from '../../cli/commands.ts';
import { manualCommand } from '../../cli/pause-resume.ts';
import { serviceName } from '../scenario-fields.ts';
import { defineStep } from './step-kind.ts';

/**
 * An engineer runs `guard pause|resume <service> [--until <time>] [--dry-run]`: the real command,
 * in-process, against the sandbox's stand-ins (the functions' environment: region, endpoints, the
 * stack's schedule group, Scheduler role and pause-resume function), at the simulated time. It
 * reads the schedules of `infra/schedules.yml`, as the command does in this repository. The step
 * fails (and says why) when the command exits non-zero.
 */
export const guardStep = defineStep({
  name: 'guard',
  schema: z
    .object({
      command: z.enum(['pause', 'resume']),
      service: serviceName,
      until: z.string().min(1).optional(),
      dryRun: z.boolean().optional(),
    })
    .strict(),
  describe: (g) =>
    `guard ${g.command} ${g.service}${g.until ? ` --until ${g.until}` : ''}${g.dryRun ? ' --dry-run' : ''}`,
  async run(g, ctx) {
    const args = [g.service, ...(g.until ? ['--until', g.until] : []), ...(g.dryRun ? ['--dry-run'] : [])];
    let said = '';
    const io = {
      env: process.env,
      out: (t: string) => {
        said += t;
      },
      err: (t: string) => {
        said += t;
      },
    };
    const run = manualCommand(g.command, { now: () => ctx.clock.nowDate() });
    const code = await runCommand(g.command === 'pause' ? PAUSE : RESUME, args, io, run);
    const text = said.trim().replace(/\s*\n\s*/g, '; ');
    if (code !== 0) throw new Error(`exit ${code}: ${text}`);
    return text;
  },
});
