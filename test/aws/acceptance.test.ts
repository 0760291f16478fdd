import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { cleanupFlow, rollbackFlow } from './flows.ts';
import { main } from './run.ts';
import { runFlows } from './runner.ts';
import { SandboxTarget } from './sandbox-target.ts';

const dirs: string[] = [];
const recordDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'agtest-vitest-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await closeSandbox();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * `npm test` runs the acceptance suite against the sandbox through its own entry point, the same
 * one `npm run test:aws` starts: one source of truth for what CI proves.
 */
describe('npm run test:aws against the sandbox', () => {
  it('passes every core flow, one line each, and records the App Runner events it saw', async () => {
    const dir = recordDir();
    let stdout = '';
    const code = await main(['--record-dir', dir], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stdout += t),
    });
    expect(stdout).toMatch(/^PASS {2}rollback-mutable-tag {2}\d+\.\d s {2}a bad deployment/m);
    expect(stdout).toMatch(/^PASS {2}cleanup-failed-create {2}\d+\.\d s/m);
    expect(stdout).toMatch(/^PASS {2}pause-resume-schedule {2}\d+\.\d s/m);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('3 passed, 0 failed');
    expect(code).toBe(0);

    const recorded = readdirSync(join(dir, 'rollback-mutable-tag'));
    const failed = recorded.find((f) => f.endsWith('-deployment-failed.json'))!;
    expect(JSON.parse(readFileSync(join(dir, 'rollback-mutable-tag', failed), 'utf8'))).toMatchObject({
      source: 'aws.apprunner',
      detail: { Status: 'DeploymentFailed', ServiceName: 'agtest-sandbox-rollback' },
    });
  }, 240_000);

  it('fails the rollback flow, saying why, when the guard only plans (rollback in dry run)', async () => {
    const lines: string[] = [];
    const [result] = await runFlows([rollbackFlow], {
      targetFor: () => new SandboxTarget({ config: { DRY_RUN_ROLLBACK: 'true' } }),
      recordDir: recordDir(),
      print: (l) => lines.push(l),
    });
    expect(result!.passed).toBe(false);
    expect(result!.error).toMatch(
      /agtest-sandbox-rollback is configured with .*\/agtest-sandbox-rollback:latest, expected .*@sha256:/,
    );
    expect(lines.at(-1)).toBe('0 passed, 1 failed');
  }, 120_000);

  it('fails the cleanup flow with a timeout naming what it saw when the guard keeps failed services longer than the wait', async () => {
    const [result] = await runFlows([cleanupFlow], {
      targetFor: () => new SandboxTarget({ config: { CLEANUP_GRACE_MINUTES: '120' } }),
      recordDir: recordDir(),
      print: () => {},
    });
    expect(result!.passed).toBe(false);
    expect(result!.error).toMatch(
      /timed out after 35 min waiting for agtest-sandbox-cleanup deleted after the 5-minute grace \(statuses: agtest-sandbox-cleanup=CREATE_FAILED; guard events: Failed Service Deletion Scheduled\(agtest-sandbox-cleanup\)/,
    );
  }, 120_000);
});
