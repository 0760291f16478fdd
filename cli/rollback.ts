import { parseArgs } from 'node:util';
import { createAppRunnerClient, createAppRunnerGateway } from '../lib/aws/app-runner.ts';
import { createEcrClient, createImageDigestResolver } from '../lib/aws/ecr.ts';
import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient } from '../lib/aws/idempotency.ts';
import { createLedgerGateway } from '../lib/aws/ledger.ts';
import { describeError } from '../lib/core/errors.ts';
import { parseServiceArn, type ServiceRef } from '../lib/events/app-runner.ts';
import { isDigest } from '../lib/release/image.ts';
import { type RollbackResult, rollbackService } from '../lib/rollback/rollback.ts';

export const ROLLBACK_USAGE =
  'guard rollback <service-name|arn> [--to <sha256:…>] [--force] [--dry-run] [--region <r>]';

const HELP = `Usage: ${ROLLBACK_USAGE}

Pins an App Runner service to a known-good image digest from the guard's release ledger, with the
same planner and safety checks as the automatic rollback. Without --to: the newest known-good
release other than the one configured now (and not quarantined). The digest rolled back from is
quarantined. Always pins repo@sha256:…, never a tag.

  --to <digest>   a known-good, non-quarantined release from the ledger
  --force         allow a --to digest that is quarantined or not in the ledger
  --dry-run       print the plan and publish it with dryRun: true; change nothing
  --region <r>    the service's region (default: AWS_REGION / AWS_DEFAULT_REGION)

Environment: LEDGER_TABLE (required: the deployed stack's ledger table), EVENT_BUS_NAME (default
"default"), AWS credentials as usual; AWS_ENDPOINT_URL_* point the clients at the sandbox.
Exit status: 0 rolled back or nothing to do, 1 refused, skipped or failed, 2 usage or configuration.
`;

interface Io {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  env: process.env,
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** `guard rollback`: a manual rollback from an engineer's terminal. Returns the exit code. */
export async function rollbackCommand(args: string[], io: Io = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.err(`guard rollback: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(HELP);
    return 0;
  }
  const target = parsed.positionals[0];
  if (!target || parsed.positionals.length > 1) {
    io.err(`guard rollback: give exactly one service name or ARN\n\n${HELP}`);
    return 2;
  }
  const toDigest = parsed.values.to;
  if (toDigest !== undefined && !isDigest(toDigest)) {
    io.err(`guard rollback: --to must be a digest (sha256:<64 hex>), never a tag: got "${toDigest}"\n`);
    return 2;
  }
  const region = parsed.values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const missing = [
    ...(io.env.LEDGER_TABLE ? [] : ['LEDGER_TABLE (the ledger table of the deployed stack)']),
    ...(region ? [] : ['AWS_REGION (or --region)']),
  ];
  if (missing.length > 0) {
    io.err(`guard rollback: configuration is missing: ${missing.join('; ')}\n`);
    return 2;
  }
  // The SDK clients take their region from the environment, as in Lambda.
  io.env.AWS_REGION = region;
  process.env.AWS_REGION = region;

  const ports = {
    appRunner: createAppRunnerGateway(createAppRunnerClient()),
    images: createImageDigestResolver(createEcrClient(), { region: region! }),
    ledger: createLedgerGateway(createDynamoDBClient(), io.env.LEDGER_TABLE!),
    publisher: createGuardEventPublisher(createEventBridgeClient(), io.env.EVENT_BUS_NAME || 'default'),
  };

  try {
    const service = await findService(target, ports.appRunner);
    if (!service) {
      io.err(`guard rollback: no App Runner service "${target}" in ${region}\n`);
      return 1;
    }
    const time = new Date().toISOString();
    const who = (io.env.USER ?? io.env.USERNAME ?? 'cli').replace(/[^\w.-]/g, '_').slice(0, 64);
    const result = await rollbackService(
      service,
      {
        kind: 'manual',
        id: `manual:${who}@${time}`,
        time,
        ...(toDigest ? { toDigest } : {}),
        force: parsed.values.force ?? false,
      },
      ports,
      {
        dryRun: parsed.values['dry-run'] ?? false,
        // The loop guard stops automation, not a human; the planner ignores it for manual rollbacks.
        loopLimit: Number(io.env.ROLLBACK_LOOP_LIMIT ?? 3),
        loopWindowMinutes: Number(io.env.ROLLBACK_LOOP_WINDOW_MINUTES ?? 60),
      },
    );
    io.out(formatResult(service, result));
    return result.outcome === 'acted' || result.outcome === 'noop' ? 0 : 1;
  } catch (error) {
    io.err(`guard rollback: ${describeError(error)}\n`);
    return 1;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function findService(
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
