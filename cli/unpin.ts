import { describeError } from '../lib/core/errors.ts';
import { type PinReleaseResult, releasePin } from '../lib/fix-forward/release.ts';
import type { CommandRun } from './args.ts';
import type { UNPIN } from './commands.ts';
import { releaseCommandSetup } from './release-command.ts';
import { findService } from './rollback.ts';

/**
 * `guard unpin <service|arn>`: releases the guard's pin by hand, with the same planner and checks
 * as fix forward (the tag must resolve to a digest that neither failed nor is quarantined). The
 * opt-out tag stops pushes, not a human. Returns the exit code.
 */
export const runUnpin: CommandRun<typeof UNPIN.options> = async ({ values, positionals }, io) => {
  const target = positionals[0]!;
  const { config, ports, manualTrigger } = releaseCommandSetup(values, io.env);
  try {
    const service = await findService(target, ports.appRunner);
    if (!service) {
      io.err(`guard unpin: no App Runner service "${target}" in ${ports.where}\n`);
      return 1;
    }
    const pin = await ports.ledger.getPin(service.arn);
    if (!pin) {
      io.err(
        `guard unpin: ${service.name} is not pinned by the guard (no pin record in ${config.ledgerTable}). \`guard status ${service.name}\` shows what it runs.\n`,
      );
      return 1;
    }
    const result = await releasePin(pin, manualTrigger(), ports, {
      dryRun: values['dry-run'] === true,
    });
    io.out(formatUnpin(service.name, service.arn, result));
    return result.outcome === 'acted' || result.outcome === 'noop' ? 0 : 1;
  } catch (error) {
    io.err(`guard unpin: ${describeError(error)}\n`);
    return 1;
  }
};

/** The plan and outcome, for a human. */
export function formatUnpin(name: string, arn: string, r: PinReleaseResult): string {
  const line = (label: string, value: unknown) =>
    value === undefined || value === '' ? '' : `${label.padEnd(10)}${String(value)}\n`;
  const { pin } = r.observed;
  const verdict = r.dryRun && r.plan.release ? 'dry run: would release, nothing changed' : r.outcome;
  return [
    line('service', `${name} (${arn})`),
    line('status', r.observed.service?.status),
    line('pinned', `${pin.pinnedImage} since ${pin.time}`),
    line(
      'replaced',
      `${pin.replacedImage} (automatic deployments ${pin.autoDeploymentsEnabled ? 'on' : 'off'})`,
    ),
    line('tag now', r.observed.digest ?? r.observed.unresolvedReason),
    line('plan', r.plan.release ? `release-pin → ${r.plan.release.toImage}` : 'none'),
    line('outcome', `${verdict} (${r.code})`),
    line('reason', r.reason),
  ].join('');
}
