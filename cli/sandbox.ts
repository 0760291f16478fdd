import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closeSandbox } from '../sandbox/environment.ts';
import { renderReport } from '../sandbox/render.ts';
import { loadScenario, ROOT, runScenario, ScenarioError } from '../sandbox/run.ts';
import { type CommandRun, createProgress, type Io, UsageError } from './args.ts';
import type { SANDBOX } from './commands.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SCENARIOS = join(ROOT, 'sandbox', 'scenarios');
/** The scenario `guard sandbox` (and `npm start`) runs when none is named. */
const DEMO_SCENARIO = 'demo';

/** Finds a scenario by path or by name in sandbox/scenarios/. */
export function resolveScenario(nameOrPath: string): string | undefined {
  if (existsSync(nameOrPath)) return nameOrPath;
  for (const ext of ['.yml', '.yaml', '.json']) {
    const candidate = join(SCENARIOS, `${nameOrPath}${ext}`);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Progress for a scenario run: the simulated time and the size of the timeline so far. */
export function scenarioProgress(io: Io): { onEntry(entry: { time: string }): void; done(): void } {
  const progress = createProgress(io);
  let entries = 0;
  return {
    onEntry(entry) {
      entries += 1;
      progress.update(`sandbox: simulated ${entry.time}, ${entries} timeline entries`);
    },
    done: () => progress.done(),
  };
}

/** `guard sandbox [scenario]`: runs a scenario and prints its timeline (or `--json` report). */
export const runSandbox: CommandRun<typeof SANDBOX.options> = async ({ values, positionals }, io) => {
  if (values.list) {
    for (const f of readdirSync(SCENARIOS)
      .filter((n) => /\.(ya?ml|json)$/.test(n))
      .sort()) {
      io.out(`${f.replace(/\.(ya?ml|json)$/, '')}\n`);
    }
    return 0;
  }
  const name = positionals[0] ?? DEMO_SCENARIO;
  const path = resolveScenario(name);
  if (!path) {
    throw new UsageError(`no scenario "${name}" (not a file, nor in sandbox/scenarios/; try --list)`);
  }
  // With --logs the handlers write to the terminal too: no progress line between their lines.
  const progress = scenarioProgress(values.logs ? { ...io, errIsTTY: false } : io);
  try {
    const scenario = loadScenario(path);
    const report = await runScenario(scenario, {
      logLevel: values.logs ? 'INFO' : 'SILENT',
      onEntry: progress.onEntry,
    });
    progress.done();
    io.out(
      values.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderReport(report, { verbose: values.verbose === true }),
    );
    return report.expectations.passed ? 0 : 1;
  } catch (error) {
    progress.done();
    if (error instanceof ScenarioError) {
      io.err(`guard sandbox: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await closeSandbox();
  }
};
