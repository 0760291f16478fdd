import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { guardEnv } from '../test/support/env.ts';
import { bundleEntry } from './bundle.ts';
import { ratio, type Summary, summarize } from './stats.ts';

export const FUNCTIONS = ['record-release', 'rollback', 'notify', 'cleanup', 'pause-resume'] as const;

/**
 * The SDK clients each function constructs at cold start (functions/*.ts). A bundle of only these
 * shows how much of a function's size and init is the clients themselves.
 */
const CLIENTS: Record<(typeof FUNCTIONS)[number], string[]> = {
  'record-release': ['apprunner', 'ecr', 'eventbridge', 'dynamodb'],
  rollback: ['apprunner', 'ecr', 'eventbridge', 'dynamodb'],
  notify: ['dynamodb', 'sns', 'ssm'],
  cleanup: ['apprunner', 'eventbridge', 'dynamodb', 'scheduler'],
  'pause-resume': ['apprunner', 'eventbridge', 'dynamodb', 'scheduler'],
};
const CLIENT_CLASS: Record<string, string> = {
  apprunner: 'AppRunnerClient',
  ecr: 'ECRClient',
  eventbridge: 'EventBridgeClient',
  dynamodb: 'DynamoDBClient',
  sns: 'SNSClient',
  ssm: 'SSMClient',
  scheduler: 'SchedulerClient',
};

/** Writes the clients-only entry of a function (bench/.out, gitignored). */
function clientsEntry(root: string, fn: (typeof FUNCTIONS)[number]): string {
  const clients = CLIENTS[fn];
  const lines = clients.map((c) => `import { ${CLIENT_CLASS[c]} } from '@aws-sdk/client-${c}';`);
  if (clients.includes('dynamodb'))
    lines.push(`import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`);
  lines.push(`export const clients = [${clients.map((c) => `new ${CLIENT_CLASS[c]}({})`).join(', ')}];`);
  if (clients.includes('dynamodb')) {
    lines.push(
      'export const documents = DynamoDBDocumentClient.from(clients.find((c) => c instanceof DynamoDBClient));',
    );
  }
  const dir = join(root, 'bench/.out');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `clients-${fn}.ts`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return relative(root, file);
}

export interface BundleFigure {
  name: string;
  bytes: number;
  /** Bytes per package (`(apprunner-guard)` for the project's own code). */
  byPackage: Record<string, number>;
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
    ...FUNCTIONS.map((f) => ({ name: `${f} (clients only)`, entry: clientsEntry(root, f) })),
  ];
  const built = [];
  for (const e of entries) {
    built.push({
      ...e,
      ...(await bundleEntry(root, e.entry, e.name.replace(' (clients only)', '.clients'))),
    });
  }
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
      byPackage: b.byPackage,
      sizeRatio: ratio(b.bytes, floor.bytes),
      init,
      initRatio: ratio(init.median, floorInit.median),
    };
  });
}
