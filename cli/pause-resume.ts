import { existsSync } from 'node:fs';
import type { AppRunnerPort } from '../lib/aws/app-runner.ts';
import { loadCliConfig } from '../lib/config.ts';
import { describeError } from '../lib/core/errors.ts';
import { type ManualStep, planManual } from '../lib/pause-resume/manual.ts';
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

/**
 * `guard pause|resume <service>`: manual pause/resume with the schedules' safety checks (see
 * lib/pause-resume/manual.ts). Reads and acts through the real App Runner client (credentials,
 * region and endpoint overrides from the environment) unless a port is given; `--dry-run` prints
 * the calls instead.
 */
export function manualCommand(
  action: 'pause' | 'resume',
  port?: AppRunnerPort,
): CommandRun<typeof RESUME.options> {
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
      const plan = planManual(action, service, schedules, new Date(), until ? { until } : {});
      for (const w of plan.warnings) io.err(`warning: ${w}\n`);
      if (plan.verdict === 'refuse') {
        io.err(`guard ${action}: refused: ${plan.message}\n`);
        return 1;
      }
      if (plan.verdict === 'nothing') {
        io.out(`${plan.message}: nothing to do\n`);
        return 0;
      }
      for (const step of plan.steps) {
        if (values['dry-run']) {
          io.out(`[dry-run] would ${describeStep(step)} on ${service.name}\n`);
          continue;
        }
        if (step.call === 'tag') await appRunner.tagService(service.arn, step.tags);
        else if (step.call === 'untag') await appRunner.untagService(service.arn, step.keys);
        else if (step.call === 'pause') await appRunner.pauseService(service.arn);
        else await appRunner.resumeService(service.arn);
      }
      io.out(values['dry-run'] ? '[dry-run] nothing changed\n' : `${plan.message}: done\n`);
      return 0;
    } catch (error) {
      io.err(`guard ${action}: ${describeError(error)}\n`);
      return 1;
    }
  };
}
