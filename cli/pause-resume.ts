import { existsSync } from 'node:fs';
import type { AppRunnerPort } from '../lib/aws/app-runner.ts';
import { createDynamoDBClient } from '../lib/aws/idempotency.ts';
import { createPauseMarkerStore } from '../lib/aws/pause-markers.ts';
import { createSchedulerClient, createSchedulerGateway, createWakeUps } from '../lib/aws/scheduler.ts';
import { ConfigError, loadCliConfig } from '../lib/config.ts';
import { describeError } from '../lib/core/errors.ts';
import type { PauseMarkerStore } from '../lib/core/ports/pause-markers.ts';
import type { WakeUps } from '../lib/core/ports/wake-ups.ts';
import { type ManualStep, planManual } from '../lib/pause-resume/manual.ts';
import { applyManualStep, withLedgerMarker } from '../lib/pause-resume/manual-steps.ts';
import type { ObservedService } from '../lib/pause-resume/plan.ts';
import { loadScheduleConfig, type ScheduleDefinition } from '../lib/pause-resume/schedule-config.ts';
import { type CommandRun, UsageError } from './args.ts';
import type { RESUME } from './commands.ts';
import { DEFAULT_SCHEDULE_FILE } from './schedule.ts';
import { servicePortsFor } from './where.ts';

async function findService(port: AppRunnerPort, nameOrArn: string): Promise<ObservedService | undefined> {
  for await (const s of port.listServices()) {
    if (s.status !== 'DELETED' && (s.arn === nameOrArn || s.name === nameOrArn)) {
      return { arn: s.arn, name: s.name, status: s.status, tags: await port.listTags(s.arn) };
    }
  }
  return undefined;
}

function describeStep(step: ManualStep): string {
  switch (step.call) {
    case 'tag':
      return `tag ${Object.entries(step.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`;
    case 'untag':
      return `untag ${step.keys.join(' ')}`;
    default:
      return `${step.call} service`;
  }
}

/** What the manual commands run with; each defaults to the real thing. */
export interface ManualDeps {
  appRunner?: AppRunnerPort;
  /** Wakes the guard at an override's end (default: the deployed stack's, from the environment). */
  wakeUps?: WakeUps;
  /** Now (default: the wall clock, a human at the keyboard). The sandbox passes its simulated clock. */
  now?: () => Date;
  /**
   * The schedules' pause markers (default: the deployed stack's ledger, `LEDGER_TABLE`, when the
   * shell has it; without it only a marker tag of earlier versions is seen).
   */
  markers?: PauseMarkerStore;
}

/** The stack's pause markers when the shell names its ledger table, else none. */
function stackMarkers(env: Record<string, string | undefined>): PauseMarkerStore | undefined {
  return env.LEDGER_TABLE ? createPauseMarkerStore(createDynamoDBClient(), env.LEDGER_TABLE) : undefined;
}

/**
 * The deployed stack's wake-ups, from the shell's environment: the schedule group, the Scheduler
 * role and the pause-resume function, as the stack's functions have them. An injected `now` is
 * also the wake-ups' clock (the sandbox's simulated time).
 */
function stackWakeUps(env: Record<string, string | undefined>, now?: () => Date): WakeUps {
  const c = loadCliConfig(env, ['region', 'schedulerGroup', 'schedulerRoleArn', 'pauseResumeFunctionArn']);
  return createWakeUps(
    createSchedulerGateway(createSchedulerClient(), { group: c.schedulerGroup, roleArn: c.schedulerRoleArn }),
    { targets: { 'pause-resume': c.pauseResumeFunctionArn }, ...(now ? { now: () => now().getTime() } : {}) },
  );
}

/**
 * `guard pause|resume <service>`: manual pause/resume with the schedules' safety checks (see
 * lib/pause-resume/manual.ts). Reads and acts through the real App Runner client (credentials,
 * region and endpoint overrides from the environment) unless a port is given; `--dry-run` prints
 * the calls instead. `resume --until` also wakes the guard at the override's end when the schedule
 * wants the service paused then (a one-time schedule of the deployed stack).
 */
export function manualCommand(
  action: 'pause' | 'resume',
  deps: ManualDeps = {},
): CommandRun<typeof RESUME.options> {
  const port = deps.appRunner;
  return async ({ values, positionals }, io) => {
    const until = values.until === undefined ? undefined : new Date(values.until);
    if (until && Number.isNaN(until.getTime())) {
      throw new UsageError(`--until "${values.until}" is not an ISO-8601 time (e.g. 2026-11-21T18:00:00Z)`);
    }
    const config = port
      ? undefined
      : loadCliConfig({ ...io.env, ...(values.region ? { AWS_REGION: values.region } : {}) }, ['region']);
    if (config) process.env.AWS_REGION = config.region;
    const target = positionals[0]!;
    try {
      // A --config that does not exist is an error; without one, a checkout without schedules has none.
      const schedules: ScheduleDefinition[] =
        values.config !== undefined
          ? loadScheduleConfig(values.config)
          : existsSync(DEFAULT_SCHEDULE_FILE)
            ? loadScheduleConfig(DEFAULT_SCHEDULE_FILE)
            : [];
      const at = config ? servicePortsFor(values, io.env, config.region) : undefined;
      const appRunner = port ?? at!.appRunner;
      const service = await findService(appRunner, target);
      if (!service) {
        io.err(`guard ${action}: no service "${target}" in ${at?.where ?? 'this account and region'}\n`);
        return 1;
      }
      // A human at the keyboard: the wall clock is the right "now" here.
      const now = deps.now?.() ?? new Date();
      const markers = deps.markers ?? (port ? undefined : stackMarkers(io.env));
      // The planner reads a ledger marker as the tag it used to be; it is removed, not untagged.
      const { service: observed, ledgerMarker } = await withLedgerMarker(service, markers);
      const plan = planManual(action, observed, schedules, now, until ? { until } : {});
      for (const w of plan.warnings) io.err(`warning: ${w}\n`);
      if (plan.verdict === 'refuse') {
        io.err(`guard ${action}: refused: ${plan.message}\n`);
        return 1;
      }
      if (plan.verdict === 'nothing') {
        io.out(`${plan.message}: nothing to do\n`);
        return 0;
      }
      // Before any change: a wake-up that cannot be made (its settings missing) stops the command.
      const wakeUps =
        plan.wake && !values['dry-run'] ? (deps.wakeUps ?? stackWakeUps(io.env, deps.now)) : undefined;
      for (const step of plan.steps) {
        if (values['dry-run']) {
          io.out(`[dry-run] would ${describeStep(step)} on ${service.name}\n`);
          continue;
        }
        await applyManualStep(step, service.arn, { appRunner, markers }, ledgerMarker);
      }
      if (plan.wake && values['dry-run']) {
        io.out(`[dry-run] would wake the guard at ${plan.wake.at.toISOString()}: ${plan.wakeNote}\n`);
      } else if (plan.wake && wakeUps) {
        const wake = await wakeUps.wakeAt(plan.wake);
        io.out(`${plan.wakeNote} (one-time schedule ${wake.name} at ${wake.at.toISOString()})\n`);
      }
      io.out(values['dry-run'] ? '[dry-run] nothing changed\n' : `${plan.message}: done\n`);
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      io.err(`guard ${action}: ${describeError(error)}\n`);
      return 1;
    }
  };
}
