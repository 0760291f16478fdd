import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleFigure, measureBundles } from './cold-start.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUDGET = { initRatio: 1.3, sizeRatio: 1.5 };
const log = (s: string) => process.stderr.write(`${s}\n`);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'OVER');

function bundleTable(figures: BundleFigure[]): string {
  const rows = figures.map((f) => {
    const within = f.name === 'floor' || (f.sizeRatio <= BUDGET.sizeRatio && f.initRatio <= BUDGET.initRatio);
    return [
      f.name.padEnd(15),
      kb(f.bytes).padStart(11),
      `${f.sizeRatio.toFixed(2)}×`.padStart(7),
      ms(f.init.median).padStart(9),
      `${ms(f.init.p10)}–${ms(f.init.p90)}`.padStart(20),
      `${f.initRatio.toFixed(2)}×`.padStart(7),
      f.name === 'floor' ? 'floor' : verdict(within),
    ].join('  ');
  });
  const head = [
    'function'.padEnd(15),
    'bundle'.padStart(11),
    'size'.padStart(7),
    'init'.padStart(9),
    'p10–p90'.padStart(20),
    'init'.padStart(7),
    'budget',
  ].join('  ');
  return [head, ...rows].join('\n');
}

async function main() {
  const runs = Number(process.env.BENCH_RUNS ?? 30);
  log(`apprunner-guard benchmarks (node ${process.version}, ${runs} cold starts per bundle)`);
  const bundles = await measureBundles(ROOT, runs, log);
  process.stdout.write(
    `\nBundles and cold init (budget: size ≤ ${BUDGET.sizeRatio}× floor, init ≤ ${BUDGET.initRatio}× floor)\n`,
  );
  process.stdout.write(`${bundleTable(bundles)}\n`);
  const results = { date: new Date().toISOString(), node: process.version, budgets: BUDGET, bundles };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  log('\nwritten: bench/results.json');
}

await main();
