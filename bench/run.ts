import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BundleFigure, FUNCTIONS, measureBundles } from './cold-start.ts';
import type { FleetFigure, StormFigure } from './sandbox-runs.ts';
import { FLEET_API, FLEET_PARTITIONS } from './scenarios.ts';
import { measureSlack, SLACK_APP_FILES, type SlackFigure } from './slack.ts';
import type { Summary } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench/.out');
const BUDGET = { initRatio: 1.3, sizeRatio: 1.5, overheadMs: 2, fleetRatio: 1.15, slackGrowth: 0.1 };
const FLEET_SERVICES = 300;
const STORM_FAILURES = 100;
const log = (s: string) => process.stderr.write(`${s}\n`);
const print = (s: string) => process.stdout.write(`${s}\n`);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const sec = (n: number) => `${(n / 1000).toFixed(1)} s`;
const spread = (s: Summary) => `${ms(s.p10)}–${ms(s.p90)}`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'OVER');
const table = (head: string[], rows: string[][]) => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
};

interface OverheadFigure {
  name: string;
  iterations: number;
  handler: Summary;
  direct: Summary;
  addedMs: number;
  idempotencyCallsPerEvent: number;
  outcomes: string[];
}

/** Environment of every child process: production settings, no SDK warning on node 20. */
const childEnv = () => ({ ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

/** One function per process (each installs its own mocks); the handlers' logs are discarded. */
function measureOverhead(name: string): OverheadFigure {
  const file = join(OUT, `overhead-${name}.json`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/overhead.ts'), name, file], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`overhead of ${name} failed:\n${r.stderr}`);
  return JSON.parse(readFileSync(file, 'utf8')) as OverheadFigure;
}

/** The sandbox runs in a process of their own (their servers and handler imports live with it). */
function measureSandbox(
  parts: ReadonlyArray<'fleet' | 'storm'>,
  fleetRuns: number,
): { fleet?: FleetFigure; storm?: StormFigure } {
  const file = join(OUT, `sandbox-runs-${parts.join('-')}.json`);
  const script = `
    import { writeFileSync } from 'node:fs';
    import { measureFleet, measureStorm } from './bench/sandbox-runs.ts';
    const out = {};
    if (${parts.includes('fleet')}) out.fleet = await measureFleet(${FLEET_SERVICES}, ${fleetRuns});
    if (${parts.includes('storm')}) out.storm = await measureStorm(${STORM_FAILURES});
    writeFileSync(${JSON.stringify(file)}, JSON.stringify(out));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`sandbox runs failed:\n${r.stderr}`);
  return JSON.parse(readFileSync(file, 'utf8')) as { fleet?: FleetFigure; storm?: StormFigure };
}

function bundleTable(figures: BundleFigure[]): string {
  return table(
    ['function', 'bundle', 'size', 'init (median)', 'p10–p90', 'init', 'budget'],
    figures.map((f) => {
      const within = f.sizeRatio <= BUDGET.sizeRatio && f.initRatio <= BUDGET.initRatio;
      const status = f.name === 'floor' ? 'floor' : f.name.endsWith('(clients only)') ? '' : verdict(within);
      return [
        f.name,
        kb(f.bytes),
        `${f.sizeRatio.toFixed(2)}×`,
        ms(f.init.median),
        spread(f.init),
        `${f.initRatio.toFixed(2)}×`,
        status,
      ];
    }),
  );
}

/** What a function carries beyond the floor, by package, largest first. */
function overFloor(figures: BundleFigure[]): string {
  const floor = figures.find((f) => f.name === 'floor')!;
  return figures
    .filter((f) => (FUNCTIONS as readonly string[]).includes(f.name))
    .map((f) => {
      const extra = Object.entries(f.byPackage)
        .map(([pkg, bytes]) => [pkg, bytes - (floor.byPackage[pkg] ?? 0)] as const)
        .filter(([, bytes]) => bytes >= 2048)
        .sort((a, b) => b[1] - a[1])
        .map(
          ([pkg, bytes]) =>
            `${pkg.replace('@aws-lambda-powertools/', 'powertools/').replace('@aws-sdk/', '')} ${(bytes / 1024).toFixed(0)}`,
        );
      return `  ${f.name}: +${((f.bytes - floor.bytes) / 1024).toFixed(0)} KiB = ${extra.join(', ')}`;
    })
    .join('\n');
}

function overheadTable(figures: OverheadFigure[]): string {
  return table(
    ['function', 'handler (median)', 'p10–p90', 'use case alone', 'p10–p90', 'added', 'budget'],
    figures.map((f) => [
      f.name,
      ms(f.handler.median),
      spread(f.handler),
      ms(f.direct.median),
      spread(f.direct),
      `${f.addedMs.toFixed(2)} ms`,
      verdict(f.addedMs <= BUDGET.overheadMs),
    ]),
  );
}

const PARTS = ['bundles', 'overhead', 'fleet', 'storm', 'slack'] as const;
type Part = (typeof PARTS)[number];
/** Names that stand for several parts. */
const ALIASES: Record<string, Part[]> = { sandbox: ['fleet', 'storm'] };

const HELP = `Usage: npm run bench [-- --only <part>[,<part>…]]

Measures the guard against its budgets and prints one table per part:
  bundles   bundle size and cold init of every function, as ratios to a floor (size ≤ ${BUDGET.sizeRatio}×, init ≤ ${BUDGET.initRatio}×)
  overhead  per-event overhead of the handler stack, warm, AWS faked (≤ ${BUDGET.overheadMs} ms added)
  fleet     pause ${FLEET_SERVICES} services over ${FLEET_PARTITIONS.length} accounts × regions in the sandbox, BENCH_FLEET_RUNS times (≤ ${BUDGET.fleetRatio}× the bound, median)
  storm     a storm of ${STORM_FAILURES} deployment failures through Slack's rate limit in the sandbox (a few minutes)
  (sandbox  fleet and storm)
  slack     the Slack app client's cost: bytes app mode adds to notify (≤ ${BUDGET.slackGrowth * 100} %), time per Web API call

Options:
  --only <parts>  run only these parts (comma-separated). A full run writes bench/results.json;
                  a partial run writes bench/.out/results-<parts>.json and leaves it alone.
  -h, --help      show this help

Environment: BENCH_RUNS (cold starts per bundle, default 30), BENCH_OVERHEAD_ITERATIONS (events
per function after warm-up, default 300), BENCH_FLEET_RUNS (fleet runs, default 5).`;

/** The parts to run, from the command line; exits with the help or a usage error. */
function partsFromArgs(argv: string[]): Part[] {
  let values: { only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n\n${HELP}\n`);
    process.exit(2);
  }
  if (values.help) {
    print(HELP);
    process.exit(0);
  }
  if (values.only === undefined) return [...PARTS];
  const asked = values.only.split(',').flatMap((p) => ALIASES[p.trim()] ?? [p.trim()]);
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0 || asked.length === 0) {
    process.stderr.write(
      `bench: --only: unknown part ${unknown.join(', ') || '(none)'}; parts: ${[...PARTS, ...Object.keys(ALIASES)].join(', ')}\n`,
    );
    process.exit(2);
  }
  return PARTS.filter((p) => asked.includes(p));
}

async function main() {
  const parts = partsFromArgs(process.argv.slice(2));
  const runs = Number(process.env.BENCH_RUNS ?? 30);
  mkdirSync(OUT, { recursive: true });
  const started = performance.now();
  log(`apprunner-guard benchmarks (node ${process.version}; ${parts.join(', ')})`);
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    budgets: BUDGET,
  };

  if (parts.includes('bundles')) {
    log(`  bundles: ${runs} cold starts per bundle`);
    const bundles = await measureBundles(ROOT, runs, log);
    results.bundles = bundles;
    print(
      `\nBundles and cold init, as ratios to the floor (budget: size ≤ ${BUDGET.sizeRatio}×, init ≤ ${BUDGET.initRatio}×)`,
    );
    print(bundleTable(bundles));
    print('Beyond the floor, by package (KiB):');
    print(overFloor(bundles));
  }

  if (parts.includes('overhead')) {
    const overhead: OverheadFigure[] = [];
    for (const name of FUNCTIONS) {
      log(`  per-event overhead: ${name}`);
      overhead.push(measureOverhead(name));
    }
    results.overhead = overhead;
    const iterations = overhead[0]?.iterations ?? 0;
    print(
      `\nPer-event overhead of the handler stack, warm, AWS faked, ${iterations} events after warm-up (budget: ≤ ${BUDGET.overheadMs} ms added)`,
    );
    print(overheadTable(overhead));
    const calls = Math.max(...overhead.map((o) => o.idempotencyCallsPerEvent));
    print(
      `Idempotency also adds ${calls} DynamoDB requests per event (mocked here: their latency is not counted).`,
    );
  }

  const sandboxParts = parts.filter((p): p is 'fleet' | 'storm' => p === 'fleet' || p === 'storm');
  if (sandboxParts.length > 0) {
    const fleetRuns = Number(process.env.BENCH_FLEET_RUNS ?? 5);
    log(
      `  sandbox: ${sandboxParts.includes('fleet') ? `pause ${FLEET_SERVICES} services, ${fleetRuns} runs` : ''}${sandboxParts.length > 1 ? ', then ' : ''}${sandboxParts.includes('storm') ? `a storm of ${STORM_FAILURES} failures (a few minutes)` : ''}`,
    );
    const { fleet, storm } = measureSandbox(sandboxParts, fleetRuns);
    if (fleet) {
      results.fleet = { ...fleet, api: FLEET_API };
      printFleet(fleet);
    }
    if (storm) {
      results.storm = storm;
      printStorm(storm);
    }
  }

  if (parts.includes('slack')) {
    log('  slack: notify bundle and Web API calls through the client');
    const slack = await measureSlack(ROOT);
    results.slack = slack;
    printSlack(slack);
  }

  const file =
    parts.length === PARTS.length
      ? join(ROOT, 'bench/results.json')
      : join(OUT, `results-${parts.join('-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwritten: ${file.slice(ROOT.length)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

function printSlack(f: SlackFigure) {
  print(
    `\nSlack app client (fetch, no SDK): what app mode adds to notify, and one chat.postMessage to a loopback stand-in, ${f.calls} calls (budget: ≤ ${BUDGET.slackGrowth * 100} % of notify's bundle)`,
  );
  print(
    table(
      ['notify', 'app mode', 'growth', 'client (median)', 'bare fetch (median)', 'added', 'budget'],
      [
        [
          kb(f.notifyBytes),
          kb(f.appModeBytes),
          `${(f.growth * 100).toFixed(1)} %`,
          ms(f.client.median),
          ms(f.fetch.median),
          `${f.addedMs.toFixed(2)} ms`,
          verdict(f.growth <= BUDGET.slackGrowth),
        ],
      ],
    ),
  );
  print(`App mode: ${SLACK_APP_FILES.join(', ')}.`);
}

function printFleet(fleet: FleetFigure) {
  print(
    `\nFleet: pause ${fleet.services} services over ${fleet.partitions} accounts × regions, App Runner at ${FLEET_API.maxRequestsPerSecond} requests/s and ${FLEET_API.latencyMs} ms in each, ${fleet.runs.length} runs (bound: the slowest partition's PauseService calls ÷ the rate; budget: median ≤ ${BUDGET.fleetRatio}× the bound, 0 lost, 0 duplicated)`,
  );
  print(
    table(
      [
        'wall (median)',
        'p10–p90',
        'bound',
        'ratio (median)',
        'p10–p90',
        'API calls',
        'per service',
        'refused',
        'invocations',
        'lost',
        'duplicated',
        'budget',
      ],
      [
        [
          sec(fleet.wallMs.median),
          `${sec(fleet.wallMs.p10)}–${sec(fleet.wallMs.p90)}`,
          sec(fleet.boundMs),
          `${fleet.ratio.median.toFixed(2)}×`,
          `${fleet.ratio.p10.toFixed(2)}–${fleet.ratio.p90.toFixed(2)}×`,
          String(fleet.apiCalls),
          fleet.callsPerService.toFixed(2),
          String(fleet.throttled),
          String(fleet.invocations),
          String(fleet.lost),
          String(fleet.duplicated),
          verdict(fleet.ratio.median <= BUDGET.fleetRatio && fleet.lost === 0 && fleet.duplicated === 0),
        ],
      ],
    ),
  );
  print(`Runs: ${fleet.runs.map((r) => `${r.ratio.toFixed(2)}× (${r.throttled} refused)`).join(', ')}`);
  print(
    `API calls: ${Object.entries(fleet.byOperation)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}`,
  );
}

function printStorm(storm: StormFigure) {
  print(
    `\nStorm: ${storm.failures} deployment failures in one minute, Slack at 1 message/s (budget: 0 lost)`,
  );
  print(
    table(
      ['Slack sent', '429s met', 'SNS sent', 'lost', 'duplicated', 'on-failure', 'real time', 'budget'],
      [
        [
          String(storm.slackMessages),
          String(storm.slackRateLimited),
          String(storm.snsMessages),
          String(storm.lost),
          String(storm.duplicated),
          String(storm.failedInvocations),
          sec(storm.wallMs),
          verdict(storm.lost === 0 && storm.duplicated === 0 && storm.failedInvocations === 0),
        ],
      ],
    ),
  );
}

await main();
