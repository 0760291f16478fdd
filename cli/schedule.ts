import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppRunnerClient, createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import { loadCliConfig } from '../lib/config.ts';
import { describeError } from '../lib/core/errors.ts';
import type { ObservedService } from '../lib/pause-resume/plan.ts';
import { formatFleetPlan, planSchedules } from '../lib/pause-resume/plan-report.ts';
import { loadScheduleConfig } from '../lib/pause-resume/schedule-config.ts';
import { type CommandRun, createProgress, type Progress, UsageError } from './args.ts';
import type { SCHEDULE_PLAN } from './commands.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_SCHEDULE_FILE = resolve(ROOT, 'infra/schedules.yml');

/** Reads a fleet file for offline planning. */
export function readFleetFile(path: string): ObservedService[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(raw)) throw new Error(`${path}: expected a JSON array of services`);
  return raw.map((s: { name?: unknown; arn?: unknown; status?: unknown; tags?: unknown }, i) => {
    if (typeof s?.name !== 'string' || typeof s.status !== 'string') {
      throw new Error(`${path}: service ${i} needs "name" and "status" strings`);
    }
    const tags = (s.tags ?? {}) as Record<string, string>;
    return { name: s.name, arn: typeof s.arn === 'string' ? s.arn : s.name, status: s.status, tags };
  });
}

/** Reads the live fleet: every service and its tags (one call per service: progress on a terminal). */
export async function readLiveFleet(progress: Progress): Promise<ObservedService[]> {
  const port = createAppRunnerGateway(createAppRunnerClient());
  const out: ObservedService[] = [];
  for await (const s of port.listServices()) {
    if (s.status === 'DELETED') continue;
    progress.update(`reading services: ${out.length + 1} (${s.name})`);
    out.push({ arn: s.arn, name: s.name, status: s.status, tags: await port.listTags(s.arn) });
  }
  progress.done();
  return out;
}

/** `guard schedule plan`: what each schedule would do at --at, and why. Returns the exit code. */
export const runSchedulePlan: CommandRun<typeof SCHEDULE_PLAN.options> = async ({ values }, io) => {
  // The one place the wall clock is read: a human asking "what happens now?".
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime())) {
    throw new UsageError(`--at "${values.at}" is not an ISO-8601 time (e.g. 2026-01-13T19:00:00Z)`);
  }
  if (!values.fleet) loadCliConfig(io.env, ['region']);
  try {
    const defs = loadScheduleConfig(values.config ?? DEFAULT_SCHEDULE_FILE);
    if (values.schedule !== undefined && !defs.some((d) => d.name === values.schedule)) {
      io.err(
        `guard schedule plan: no schedule "${values.schedule}" (configured: ${defs.map((d) => d.name).join(', ') || 'none'})\n`,
      );
      return 2;
    }
    const fleet = values.fleet ? readFleetFile(values.fleet) : await readLiveFleet(createProgress(io));
    const plan = planSchedules(defs, fleet, at, values.schedule);
    io.out(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatFleetPlan(plan));
    return 0;
  } catch (error) {
    io.err(`guard schedule plan: ${describeError(error)}\n`);
    return 1;
  }
};
