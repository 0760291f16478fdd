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

/** Bundles one entry as production does; returns the output path and its size in bytes. */
export async function bundleEntry(
  root: string,
  entry: string,
  name: string,
): Promise<{ file: string; bytes: number }> {
  const outdir = join(root, 'bench/.out');
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, `${name}.mjs`);
  await build({
    ...productionOptions(root),
    entryPoints: [join(root, entry)],
    outfile: file,
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size };
}
