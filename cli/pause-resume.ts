import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type AppRunnerPort, createAppRunnerClient, createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import { describeError } from '../lib/core/errors.ts';
import { type ManualStep, planManual } from '../lib/pause-resume/manual.ts';
import type { ObservedService } from '../lib/pause-resume/plan.ts';
import { loadScheduleConfig, type ScheduleDefinition } from '../lib/pause-resume/schedule-config.ts';
import { DEFAULT_SCHEDULE_FILE } from './schedule.ts';

const usage = (
  action: string,
) => `Usage: guard ${action} <service name or ARN> [--dry-run]${action === 'resume' ? ' [--until <ISO time>]' : ''} [--config <schedules.yml>]
`;

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
 * region and endpoint overrides from the environment); `--dry-run` prints the calls instead.
 */
export function manualCommand(action: 'pause' | 'resume', port?: AppRunnerPort) {
  return async (args: string[]): Promise<number> => {
    let parsed: { values: { 'dry-run'?: boolean; until?: string; config?: string }; positionals: string[] };
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: { 'dry-run': { type: 'boolean' }, until: { type: 'string' }, config: { type: 'string' } },
      });
    } catch (error) {
      process.stderr.write(`guard ${action}: ${(error as Error).message}\n\n${usage(action)}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      process.stderr.write(usage(action));
      return 2;
    }
    const until = values.until === undefined ? undefined : new Date(values.until);
    if (until && Number.isNaN(until.getTime())) {
      process.stderr.write(`guard ${action}: --until "${values.until}" is not an ISO-8601 time\n`);
      return 2;
    }
    try {
      const configFile = values.config ?? DEFAULT_SCHEDULE_FILE;
      const schedules: ScheduleDefinition[] = existsSync(configFile) ? loadScheduleConfig(configFile) : [];
      const appRunner = port ?? createAppRunnerGateway(createAppRunnerClient());
      const service = await findService(appRunner, positionals[0]!);
      if (!service) {
        process.stderr.write(`guard ${action}: no service "${positionals[0]}" in this account and region\n`);
        return 1;
      }
      // A human at the keyboard: the wall clock is the right "now" here.
      const plan = planManual(action, service, schedules, new Date(), until ? { until } : {});
      for (const w of plan.warnings) process.stderr.write(`warning: ${w}\n`);
      if (plan.verdict === 'refuse') {
        process.stderr.write(`guard ${action}: refused: ${plan.message}\n`);
        return 1;
      }
      if (plan.verdict === 'nothing') {
        process.stdout.write(`${plan.message}: nothing to do\n`);
        return 0;
      }
      for (const step of plan.steps) {
        if (values['dry-run']) {
          process.stdout.write(`[dry-run] would ${describeStep(step)} on ${service.name}\n`);
          continue;
        }
        if (step.call === 'tag') await appRunner.tagService(service.arn, step.tags);
        else if (step.call === 'untag') await appRunner.untagService(service.arn, step.keys);
        else if (step.call === 'pause') await appRunner.pauseService(service.arn);
        else await appRunner.resumeService(service.arn);
      }
      process.stdout.write(values['dry-run'] ? `[dry-run] nothing changed\n` : `${plan.message}: done\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`guard ${action}: ${describeError(error)}\n`);
      return 1;
    }
  };
}
