import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuardTargets } from '../lib/aws/organizations.ts';
import { loadCliConfig } from '../lib/config.ts';
import { describeError } from '../lib/core/errors.ts';
import type { AppRunnerPort } from '../lib/core/ports/app-runner.ts';
import type { OrganizationPort } from '../lib/core/ports/organization.ts';
import type { ObservedService } from '../lib/pause-resume/plan.ts';
import { formatFleetPlan, planSchedules } from '../lib/pause-resume/plan-report.ts';
import { loadScheduleConfig } from '../lib/pause-resume/schedule-config.ts';
import { isAccountId, parseTargets, type Target, TargetsError } from '../lib/targets.ts';
import { type CommandRun, createProgress, type Progress, UsageError } from './args.ts';
import type { SCHEDULE_PLAN } from './commands.ts';
import { servicePortsFor } from './where.ts';

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

/** App Runner in one account and region, and how the output names it (`<account>/<region>`). */
export interface PlanPlace {
  appRunner: AppRunnerPort;
  where: string;
}

/**
 * Reads the live fleet of one place: every service and its tags (one call per service: progress on
 * a terminal, naming the place).
 */
export async function readLiveFleet(place: PlanPlace, progress: Progress): Promise<ObservedService[]> {
  const out: ObservedService[] = [];
  for await (const s of place.appRunner.listServices()) {
    if (s.status === 'DELETED') continue;
    progress.update(`reading services in ${place.where}: ${out.length + 1} (${s.name})`);
    out.push({ arn: s.arn, name: s.name, status: s.status, tags: await place.appRunner.listTags(s.arn) });
  }
  progress.done();
  return out;
}

/** What `guard schedule plan` is built with; tests give their own App Runner per place. */
export interface SchedulePlanDeps {
  /** App Runner where the plan reads: the caller's own (no account) or a spoke's through its role. */
  portsAt?(
    place: { account?: string | undefined; region: string },
    env: Record<string, string | undefined>,
  ): PlanPlace;
  /** AWS Organizations, for an OU in GUARD_TARGETS (default: a reader with the caller's credentials). */
  organization?: OrganizationPort;
}

const defaultPortsAt: NonNullable<SchedulePlanDeps['portsAt']> = (place, env) =>
  servicePortsFor({ account: place.account }, env, place.region);

/**
 * Where the plan reads the fleet: the one place `--account`/`--region` name; without them, every
 * target of GUARD_TARGETS (as the deployed stack has it; an OU through AWS Organizations) with the
 * hub (GUARD_ACCOUNT_ID in the caller's region) read with the caller's own credentials; without
 * GUARD_TARGETS, the caller's own account and region, as before.
 */
async function placesToPlan(
  values: { account?: string | undefined; region?: string | undefined },
  env: Record<string, string | undefined>,
  region: string,
  deps: SchedulePlanDeps,
): Promise<PlanPlace[]> {
  const portsAt = deps.portsAt ?? defaultPortsAt;
  if (values.account !== undefined && !isAccountId(values.account))
    throw new UsageError(`--account must be a 12-digit account id, got "${values.account}"`);
  if (values.account !== undefined || values.region !== undefined || !env.GUARD_TARGETS?.trim())
    return [portsAt({ account: values.account, region }, env)];
  let setting: ReturnType<typeof parseTargets>;
  try {
    setting = parseTargets(env.GUARD_TARGETS);
  } catch (error) {
    if (error instanceof TargetsError) throw new UsageError(`GUARD_TARGETS ${error.message}`);
    throw error;
  }
  const hub = env.GUARD_ACCOUNT_ID;
  if (!hub || !isAccountId(hub))
    throw new UsageError(
      'planning across GUARD_TARGETS needs GUARD_ACCOUNT_ID (the hub account, whose region is AWS_REGION); or plan one place with --account and --region',
    );
  const targets = createGuardTargets({ accountId: hub, region, targets: setting }, deps.organization);
  await targets.refresh();
  return targets.listTargets().map((t: Target) => {
    const isHub = t.account === hub && t.region === region;
    const place = portsAt({ account: isHub ? undefined : t.account, region: t.region }, env);
    return { ...place, where: `${t.account}/${t.region}` };
  });
}

/**
 * `guard schedule plan`: what each schedule would do at --at, and why, in every target or the one
 * place --account/--region name. A place that cannot be read is reported and the others planned
 * (exit 1). Returns the exit code.
 */
export function schedulePlanCommand(deps: SchedulePlanDeps = {}): CommandRun<typeof SCHEDULE_PLAN.options> {
  return async ({ values }, io) => {
    // The one place the wall clock is read: a human asking "what happens now?".
    const at = values.at === undefined ? new Date() : new Date(values.at);
    if (Number.isNaN(at.getTime())) {
      throw new UsageError(`--at "${values.at}" is not an ISO-8601 time (e.g. 2026-01-13T19:00:00Z)`);
    }
    if (values.fleet && (values.account !== undefined || values.region !== undefined))
      throw new UsageError('--fleet plans offline: it takes no --account or --region');
    const env = { ...io.env, ...(values.region ? { AWS_REGION: values.region } : {}) };
    const region = values.fleet ? undefined : loadCliConfig(env, ['region']).region;
    try {
      const defs = loadScheduleConfig(values.config ?? DEFAULT_SCHEDULE_FILE);
      if (values.schedule !== undefined && !defs.some((d) => d.name === values.schedule)) {
        io.err(
          `guard schedule plan: no schedule "${values.schedule}" (configured: ${defs.map((d) => d.name).join(', ') || 'none'})\n`,
        );
        return 2;
      }
      const fleet: ObservedService[] = [];
      const read: string[] = [];
      const unreadable: Array<{ where: string; reason: string }> = [];
      if (values.fleet) fleet.push(...readFleetFile(values.fleet));
      else {
        for (const place of await placesToPlan(values, env, region!, deps)) {
          try {
            fleet.push(...(await readLiveFleet(place, createProgress(io))));
            read.push(place.where);
          } catch (error) {
            unreadable.push({ where: place.where, reason: describeError(error) });
          }
        }
      }
      const plan = {
        ...planSchedules(defs, fleet, at, values.schedule),
        ...(values.fleet ? {} : { read, unreadable }),
      };
      io.out(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatFleetPlan(plan));
      for (const u of unreadable) io.err(`guard schedule plan: could not read ${u.where}: ${u.reason}\n`);
      return unreadable.length > 0 ? 1 : 0;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      io.err(`guard schedule plan: ${describeError(error)}\n`);
      return 1;
    }
  };
}

/** `guard schedule plan` with the caller's AWS credentials (and the spoke roles for the targets). */
export const runSchedulePlan = schedulePlanCommand();
