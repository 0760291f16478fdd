import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closeSandbox } from '../sandbox/environment.ts';
import { renderReport } from '../sandbox/render.ts';
import { loadScenario, ROOT, runScenario, ScenarioError } from '../sandbox/run.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SCENARIOS = join(ROOT, 'sandbox', 'scenarios');

const HELP = `guard sandbox [scenario] [--json] [--verbose] [--logs] [--list]

Runs a scenario (a file, or a name under sandbox/scenarios/; default: demo) against the local
stand-in for AWS and prints the timeline. --json prints the machine-readable report instead.
Exit code 1 when the scenario's expectations are not met, 2 for a bad scenario file.
`;

/** Finds a scenario by path or by name in sandbox/scenarios/. */
export function resolveScenario(nameOrPath: string): string | undefined {
  if (existsSync(nameOrPath)) return nameOrPath;
  for (const ext of ['.yml', '.yaml', '.json']) {
    const candidate = join(SCENARIOS, `${nameOrPath}${ext}`);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** `guard sandbox`: runs a scenario and prints its timeline (or `--json` report). */
export async function sandboxCommand(args: string[]): Promise<number> {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const positional = args.filter((a) => !a.startsWith('--'));
  if (flags.has('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (flags.has('--list')) {
    for (const f of readdirSync(SCENARIOS)
      .filter((n) => /\.(ya?ml|json)$/.test(n))
      .sort()) {
      process.stdout.write(`${f.replace(/\.(ya?ml|json)$/, '')}\n`);
    }
    return 0;
  }
  const unknown = [...flags].filter((f) => !['--json', '--verbose', '--logs'].includes(f));
  if (unknown.length > 0 || positional.length > 1) {
    process.stderr.write(
      `guard sandbox: unexpected ${[...unknown, ...positional.slice(1)].join(' ')}\n\n${HELP}`,
    );
    return 2;
  }
  const name = positional[0] ?? 'demo';
  const path = resolveScenario(name);
  if (!path) {
    process.stderr.write(
      `guard sandbox: no scenario "${name}" (not a file, nor in sandbox/scenarios/; try --list)\n`,
    );
    return 2;
  }
  try {
    const scenario = loadScenario(path);
    const report = await runScenario(scenario, { logLevel: flags.has('--logs') ? 'INFO' : 'SILENT' });
    process.stdout.write(
      flags.has('--json')
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderReport(report, { verbose: flags.has('--verbose') }),
    );
    return report.expectations.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof ScenarioError) {
      process.stderr.write(`guard sandbox: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await closeSandbox();
  }
}
