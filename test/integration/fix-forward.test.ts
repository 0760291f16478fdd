import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, ROOT, runScenario } from '../../sandbox/run.ts';

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox', 'scenarios', `${name}.yml`));
const updates = (report: Awaited<ReturnType<typeof runScenario>>) =>
  report.apiCalls.filter((c) => c.operation === 'UpdateService' && c.status === 200);

afterAll(async () => {
  await closeSandbox();
});

describe('fix forward in the sandbox (real handlers, ECR push events through the rules)', () => {
  it('push broken → pinned → push the fix → pin released → the fix runs, with no human', async () => {
    const report = await runScenario(scenario('fix-forward'));
    expect(report.expectations.failures).toEqual([]);
    const payments = report.fleet.find((f) => f.name === 'payments-api')!;
    expect(payments.configuredLabel).toBe('payments:latest');
    const released = report.guardEvents.find((e) => e['detail-type'] === 'Pin Released')!;
    expect(released.detail).toMatchObject({
      job: 'fix-forward',
      outcome: 'acted',
      details: { code: 'release', autoDeployments: 'on (as before the pin)' },
    });
    // The code-based service is never touched: the pin and its release are the only updates.
    expect(updates(report)).toHaveLength(2);
    expect(report.fleet.find((f) => f.name === 'docs-site')).toMatchObject({ status: 'RUNNING' });
    expect(
      report.guardEvents.filter(
        (e) => (e.detail.service as { name?: string } | undefined)?.name === 'docs-site',
      ),
    ).toEqual([]);
  });

  it('the failed digest re-pushed keeps the pin; a push to another tag changes nothing', async () => {
    const report = await runScenario(scenario('fix-forward-pin-holds'));
    expect(report.expectations.failures).toEqual([]);
    const kept = report.guardEvents.filter((e) => e['detail-type'] === 'Pin Kept');
    expect(kept.map((e) => (e.detail.details as { code: string }).code)).toEqual(['failed-digest']);
    expect(updates(report)).toHaveLength(1);
  });

  it('a broken fix is pinned again, once, back to the last known-good digest', async () => {
    const report = await runScenario(scenario('fix-forward-broken-fix'));
    expect(report.expectations.failures).toEqual([]);
    const pins = report.guardEvents.filter((e) => e['detail-type'] === 'Rollback Completed');
    expect(pins).toHaveLength(2);
    expect(pins[0]!.detail.details).toMatchObject({
      toDigest: (pins[1]!.detail.details as { toDigest: string }).toDigest,
    });
    expect(pins[1]!.detail.details).toMatchObject({
      pinnedFromTag: expect.stringMatching(/\/payments:latest$/),
    });
  });

  it('dry-run: the release is reported, nothing changes', async () => {
    const report = await runScenario(scenario('fix-forward-dry-run'));
    expect(report.expectations.failures).toEqual([]);
    expect(updates(report)).toHaveLength(1);
  });
});
