import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { guardEnv } from '../test/support/env.ts';
import { bundleEntry } from './bundle.ts';
import { ratio, type Summary, summarize } from './stats.ts';

export const FUNCTIONS = ['record-release', 'rollback', 'notify', 'cleanup', 'pause-resume'] as const;

export interface BundleFigure {
  name: string;
  bytes: number;
  sizeRatio: number;
  init: Summary;
  initRatio: number;
}

/**
 * Bundles the floor and every function with production settings, then loads each bundle in a
 * fresh node process `runs` times (round-robin, so drift hits all alike) and times the import.
 */
export async function measureBundles(
  root: string,
  runs: number,
  log: (s: string) => void,
): Promise<BundleFigure[]> {
  const entries = [
    { name: 'floor', entry: 'bench/floor.ts' },
    ...FUNCTIONS.map((f) => ({ name: f, entry: `functions/${f}.ts` })),
  ];
  const built = [];
  for (const e of entries) built.push({ ...e, ...(await bundleEntry(root, e.entry, e.name)) });
  const env = { ...process.env, ...guardEnv(), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const samples = new Map<string, number[]>(built.map((b) => [b.name, []]));
  const probe = join(root, 'bench/init-probe.mjs');
  for (let i = 0; i < runs; i++) {
    for (const b of built) {
      const out = execFileSync(process.execPath, [probe, b.file], { env, encoding: 'utf8' });
      samples.get(b.name)!.push(Number(out));
    }
    if ((i + 1) % 10 === 0) log(`  cold init: ${i + 1}/${runs} rounds`);
  }
  const floor = built[0]!;
  const floorInit = summarize(samples.get('floor')!);
  return built.map((b) => {
    const init = summarize(samples.get(b.name)!);
    return {
      name: b.name,
      bytes: b.bytes,
      sizeRatio: ratio(b.bytes, floor.bytes),
      init,
      initRatio: ratio(init.median, floorInit.median),
    };
  });
}
