import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { digestOf } from '../../sandbox/images.ts';
import { loadScenario, ROOT, runScenario, type SandboxReport } from '../../sandbox/run.ts';

// The sandbox's servers are started once per test file: stop them when it is done.
afterAll(closeSandbox);

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox/scenarios', `${name}.yml`));
const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments';
const GOOD = digestOf('good-v1');

const guardEvents = (report: SandboxReport, detailType: string) =>
  report.guardEvents.filter((e) => e['detail-type'] === detailType);
const updateServiceCalls = (report: SandboxReport) =>
  report.apiCalls.filter((c) => c.api === 'apprunner' && c.operation === 'UpdateService');

describe('rollback in the sandbox', () => {
  it('good deploy → bad deploy on a mutable tag → pinned to the good digest → resume and redeploy run the good image', async () => {
    const report = await runScenario(scenario('rollback-mutable-tag'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);

    const [completed, ...more] = guardEvents(report, 'Rollback Completed');
    expect(more).toEqual([]);
    expect(completed!.detail).toMatchObject({
      outcome: 'acted',
      action: 'pin-image',
      details: {
        failureStatus: 'DeploymentFailed',
        fromImage: `${REPO}:latest`,
        fromDigest: digestOf('bad-v2'),
        toImage: `${REPO}@${GOOD}`,
        toDigest: GOOD,
        quarantinedDigest: digestOf('bad-v2'),
      },
    });
    const service = report.fleet.find((s) => s.name === 'payments-api')!;
    expect(service.configured).toBe(`${REPO}@${GOOD}`);
    expect(service.runningLabel).toBe('good-v1');
    // Only one deployment ever failed: neither the resume nor the later deployment shipped bad-v2.
    expect(report.appRunnerEvents.filter((e) => JSON.stringify(e.detail).includes('Failed'))).toHaveLength(1);
  });

  it('acts once with camelCase events delivered twice each', async () => {
    const s = scenario('rollback-mutable-tag');
    s.settings.eventSpelling = 'camelCase';
    s.faults = { ...s.faults, delivery: { duplicate: 1 } };
    const report = await runScenario(s);
    expect(report.expectations.failures).toEqual([]);
    expect(updateServiceCalls(report)).toHaveLength(1);
    expect(guardEvents(report, 'Rollback Completed')).toHaveLength(1);
  });

  it('in dry run plans and reports the pin but changes nothing, so the bad image ships again', async () => {
    const s = scenario('rollback-mutable-tag');
    s.dryRun = ['rollback'];
    s.expect = {};
    const report = await runScenario(s);
    expect(updateServiceCalls(report)).toEqual([]);
    const dry = guardEvents(report, 'Rollback Completed');
    expect(dry.length).toBeGreaterThanOrEqual(1);
    for (const e of dry)
      expect(e.detail).toMatchObject({ dryRun: true, details: { toImage: `${REPO}@${GOOD}` } });
    expect(report.fleet.find((s) => s.name === 'payments-api')!.configured).toBe(`${REPO}:latest`);
    expect(
      report.appRunnerEvents.filter((e) => JSON.stringify(e.detail).includes('DeploymentFailed')),
    ).toHaveLength(2);
  });

  it('with no known-good release, skips and says why', async () => {
    const report = await runScenario(scenario('rollback-no-known-good'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
  });
});
