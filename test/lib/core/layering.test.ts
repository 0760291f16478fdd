/**
 * The layering rule (docs/architecture.md, "Layers"): only lib/aws touches the SDK; jobs and the
 * core see ports and core error kinds. A job that imports an adapter fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = join(import.meta.dirname, '../../../lib');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
}

const violations = (files: string[], forbidden: (spec: string) => boolean) =>
  files.flatMap((f) =>
    importsOf(f)
      .filter(forbidden)
      .map((spec) => `${relative(LIB, f)} → ${spec}`),
  );

const touchesAws = (spec: string) => spec.startsWith('@aws-sdk/') || /(^|\/)aws\//.test(spec);

describe('layering', () => {
  it('no code outside lib/aws imports the SDK or an adapter', () => {
    const files = filesUnder(LIB).filter((f) => !relative(LIB, f).startsWith('aws/'));
    expect(files.length).toBeGreaterThan(30);
    expect(violations(files, touchesAws)).toEqual([]);
  });

  it('lib/core imports no job and no adapter', () => {
    const jobs = ['cleanup', 'notify', 'pause-resume', 'release', 'rollback', 'slack-actions'];
    const files = filesUnder(join(LIB, 'core'));
    const forbidden = (spec: string) => touchesAws(spec) || jobs.some((j) => spec.includes(`/${j}/`));
    expect(violations(files, forbidden)).toEqual([]);
  });

  it('the rule catches an adapter import (the check itself can fail)', () => {
    expect(touchesAws('../aws/app-runner.ts')).toBe(true);
    expect(touchesAws('@aws-sdk/client-apprunner')).toBe(true);
    expect(touchesAws('../core/ports/app-runner.ts')).toBe(false);
    expect(importsOf(join(LIB, 'aws/app-runner.ts'))).toContain('@aws-sdk/client-apprunner');
  });
});
