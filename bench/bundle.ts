import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';

/** esbuild options of serverless.yml `custom.esbuild`: production settings, one source. */
export function productionOptions(root: string) {
  const doc = parse(readFileSync(join(root, 'serverless.yml'), 'utf8')) as {
    custom: {
      esbuild: {
        minify: boolean;
        target: string;
        format: 'esm';
        platform: 'node';
        banner: { js: string };
        mainFields?: string[];
        external?: string[];
        exclude?: string[];
      };
    };
  };
  const e = doc.custom.esbuild;
  return {
    bundle: true,
    minify: e.minify,
    target: e.target,
    format: e.format,
    platform: e.platform,
    banner: e.banner,
    ...(e.mainFields ? { mainFields: e.mainFields } : {}),
    // serverless-esbuild marks `exclude`d packages external (and leaves them out of the zip).
    external: [...(e.external ?? []), ...(e.exclude ?? [])],
  };
}

/**
 * Bundles one entry as production does; returns the output path, its size in bytes and the bytes
 * each package (or, outside node_modules, the project) contributes.
 */
export async function bundleEntry(
  root: string,
  entry: string,
  name: string,
): Promise<{ file: string; bytes: number; byPackage: Record<string, number> }> {
  const outdir = join(root, 'bench/.out');
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, `${name}.mjs`);
  const result = await build({
    ...productionOptions(root),
    entryPoints: [join(root, entry)],
    outfile: file,
    logLevel: 'error',
    metafile: true,
  });
  const byPackage: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(apprunner-guard)';
      byPackage[pkg] = (byPackage[pkg] ?? 0) + input.bytesInOutput;
    }
  }
  return { file, bytes: statSync(file).size, byPackage };
}
