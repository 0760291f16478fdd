import type { createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import { describeError } from '../lib/core/errors.ts';
import { parseServiceArn, type ServiceRef } from '../lib/events/app-runner.ts';
import { isDigest } from '../lib/release/image.ts';
import { type RollbackResult, rollbackService } from '../lib/rollback/rollback.ts';
import { type CommandRun, UsageError } from './args.ts';
import type { ROLLBACK } from './commands.ts';
import { releaseCommandSetup } from './release-command.ts';

/** `guard rollback <service|arn>`: a manual rollback from an engineer's terminal. Returns the exit code. */
export const runRollback: CommandRun<typeof ROLLBACK.options> = async ({ values, positionals }, io) => {
  const target = positionals[0]!;
  const toDigest = values.to;
  if (toDigest !== undefined && !isDigest(toDigest)) {
    throw new UsageError(`--to must be a digest (sha256:<64 hex>), never a tag: got "${toDigest}"`);
  }
  const { ports, manualTrigger } = releaseCommandSetup(values, io.env);

  try {
    const service = await findService(target, ports.appRunner);
    if (!service) {
      io.err(`guard rollback: no App Runner service "${target}" in ${ports.where}\n`);
      return 1;
    }
    const result = await rollbackService(
      service,
      {
        ...manualTrigger(),
        ...(toDigest ? { toDigest } : {}),
        force: values.force === true,
      },
      ports,
      { dryRun: values['dry-run'] === true, ...MANUAL_LOOP_SETTINGS },
    );
    io.out(formatResult(service, result));
    return result.outcome === 'acted' || result.outcome === 'noop' ? 0 : 1;
  } catch (error) {
    io.err(`guard rollback: ${describeError(error)}\n`);
    return 1;
  }
};

/**
 * The loop guard stops automation, not a human: the planner applies it to event triggers only, so a
 * manual rollback reads no loop settings and passes these inert values.
 */
const MANUAL_LOOP_SETTINGS = { loopLimit: Number.POSITIVE_INFINITY, loopWindowMinutes: 0 };

/** A service by ARN, or by name among the region's services; `undefined` when there is none. */
export async function findService(
  target: string,
  appRunner: ReturnType<typeof createAppRunnerGateway>,
): Promise<ServiceRef | undefined> {
  if (target.startsWith('arn:')) {
    const ref = parseServiceArn(target);
    if (!ref) throw new Error(`"${target}" is not an App Runner service ARN`);
    return ref;
  }
  for await (const s of appRunner.listServices()) {
    if (s.name === target && s.status !== 'DELETED') return parseServiceArn(s.arn);
  }
  return undefined;
}

/** The plan and outcome, for a human. */
export function formatResult(service: ServiceRef, r: RollbackResult): string {
  const d = r.published.detail.details as Record<string, unknown>;
  const line = (label: string, value: unknown) =>
    value === undefined || value === '' ? '' : `${label.padEnd(10)}${String(value)}\n`;
  const verdict = r.dryRun && r.plan.pin ? 'dry run: would pin, nothing changed' : r.outcome;
  return [
    line('service', `${service.name} (${service.arn})`),
    line('status', d.serviceStatus),
    line('image', d.configuredImage),
    line('digest', d.configuredDigest ?? d.unresolvedReason),
    line('plan', r.plan.pin ? `pin-image → ${r.plan.pin.toImage}` : 'none'),
    line('quarantine', r.plan.pin?.quarantine),
    line('operation', d.operationId),
    line('outcome', `${verdict} (${r.code})`),
    line('reason', r.reason),
  ].join('');
}
