import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppRunnerClient, createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import type { ObservedService } from '../lib/pause-resume/plan.ts';
import { formatFleetPlan, planSchedules } from '../lib/pause-resume/plan-report.ts';
import { loadScheduleConfig } from '../lib/pause-resume/schedule-config.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_SCHEDULE_FILE = resolve(ROOT, 'infra/schedules.yml');

const USAGE = `Usage: guard schedule plan [--at <ISO time>] [--schedule <name>] [--config <schedules.yml>]
                           [--fleet <fleet.json>] [--json]

Prints what each pause/resume schedule would do to every service tagged for it at --at (default:
now), and why. Services are read live (AWS credentials and region from the environment, endpoint
overrides honoured) unless --fleet names a JSON file: [{"name","arn"?,"status","tags":{...}}].
`;

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

/** Reads the live fleet: every service and its tags. */
export async function readLiveFleet(): Promise<ObservedService[]> {
  const port = createAppRunnerGateway(createAppRunnerClient());
  const out: ObservedService[] = [];
  for await (const s of port.listServices()) {
    if (s.status === 'DELETED') continue;
    out.push({ arn: s.arn, name: s.name, status: s.status, tags: await port.listTags(s.arn) });
  }
  return out;
}

/** `guard schedule plan …`; returns the exit code. */
export async function scheduleCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'plan') {
    process.stderr.write(
      sub === undefined || sub === 'help' ? USAGE : `guard schedule: unknown subcommand "${sub}"\n\n${USAGE}`,
    );
    return sub === 'help' ? 0 : 2;
  }
  let values: { at?: string; schedule?: string; config?: string; fleet?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        at: { type: 'string' },
        schedule: { type: 'string' },
        config: { type: 'string' },
        fleet: { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (error) {
    process.stderr.write(`guard schedule plan: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // The one place the wall clock is read: a human asking "what happens now?".
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime())) {
    process.stderr.write(
      `guard schedule plan: --at "${values.at}" is not an ISO-8601 time (e.g. 2026-01-13T19:00:00Z)\n`,
    );
    return 2;
  }
  try {
    const defs = loadScheduleConfig(values.config ?? DEFAULT_SCHEDULE_FILE);
    if (values.schedule !== undefined && !defs.some((d) => d.name === values.schedule)) {
      process.stderr.write(
        `guard schedule plan: no schedule "${values.schedule}" (configured: ${defs.map((d) => d.name).join(', ') || 'none'})\n`,
      );
      return 2;
    }
    const fleet = values.fleet ? readFleetFile(values.fleet) : await readLiveFleet();
    const plan = planSchedules(defs, fleet, at, values.schedule);
    process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatFleetPlan(plan));
    return 0;
  } catch (error) {
    process.stderr.write(`guard schedule plan: ${(error as Error).message}\n`);
    return 1;
  }
}
