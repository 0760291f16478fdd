/**
 * App Runner's undocumented timing, both ways (docs/architecture.md, "Time"): every fix-forward and
 * rollback scenario also runs with a failed UpdateService reverting its configuration, and with the
 * failure event sent on detection (while App Runner still rolls back). The scenarios' own tests run
 * them with the defaults (configuration kept, event after the rollback).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, ROOT, runScenario } from '../../sandbox/run.ts';

afterAll(async () => {
  await closeSandbox();
});

type Timing = 'detection' | 'after-rollback';
const VARIANTS: Array<[string, { revert: boolean; timing?: Timing }]> = [
  ['fix-forward', { revert: true, timing: 'detection' }],
  ['fix-forward-pin-holds', { revert: true, timing: 'detection' }],
  // The fix fails through UpdateService: both configurations, both timings.
  ['fix-forward-broken-fix', { revert: true, timing: 'after-rollback' }],
  ['fix-forward-broken-fix', { revert: true, timing: 'detection' }],
  ['fix-forward-broken-fix', { revert: false, timing: 'detection' }],
  ['fix-forward-dry-run', { revert: true, timing: 'detection' }],
  ['rollback-mutable-tag', { revert: true, timing: 'detection' }],
  ['rollback-dry-run', { revert: true, timing: 'detection' }],
  ['rollback-no-known-good', { revert: true, timing: 'detection' }],
  // Their timing is what they are about: only the configuration varies.
  ['rollback-slow-app-runner', { revert: true }],
  ['rollback-slow-app-runner-after-rollback', { revert: true }],
];

describe('fix-forward and rollback scenarios with App Runner behaving the other ways', () => {
  it.each(VARIANTS)('%s, reverts config %o', async (name, { revert, timing }) => {
    const scenario = loadScenario(join(ROOT, 'sandbox', 'scenarios', `${name}.yml`));
    scenario.settings.updateFailureRevertsConfig = revert;
    if (timing) scenario.settings.failureEventTiming = timing;
    const report = await runScenario(scenario);
    expect(report.expectations.failures).toEqual([]);
    expect(report.failedInvocations).toEqual([]);
  });

  it('a broken fix with the configuration reverted: the fix is quarantined and the pin recorded again, once', async () => {
    const scenario = loadScenario(join(ROOT, 'sandbox', 'scenarios', 'fix-forward-broken-fix.yml'));
    scenario.settings.updateFailureRevertsConfig = true;
    const report = await runScenario(scenario);
    const pins = report.guardEvents.filter((e) => e['detail-type'] === 'Rollback Completed');
    expect(pins.map((e) => (e.detail.details as { code: string }).code)).toEqual(['pin', 'fix-failed']);
    expect(pins[1]!.detail.details).toMatchObject({
      quarantinedDigest: (pins[1]!.detail.details as { fromDigest: string }).fromDigest,
      pinnedFromTag: expect.stringMatching(/\/payments:latest$/),
      autoDeploymentsBefore: true,
    });
    // The re-pin needed no deployment: App Runner had already put the pin back.
    const updates = report.apiCalls.filter((c) => c.operation === 'UpdateService' && c.status === 200);
    expect(updates).toHaveLength(2);
  });
});
