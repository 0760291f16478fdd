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
const MINUTE = 60_000;

const guardEvents = (report: SandboxReport, detailType: string) =>
  report.guardEvents.filter((e) => e['detail-type'] === detailType);
const updateServiceCalls = (report: SandboxReport) =>
  report.apiCalls.filter((c) => c.api === 'apprunner' && c.operation === 'UpdateService');

/** What on-call sees after App Runner's own 20-minute rollback: pinned once, told once, nothing left over. */
function expectPinnedOnce(report: SandboxReport) {
  expect(report.expectations.failures).toEqual([]);
  expect(report.expectations.passed).toBe(true);
  expect(report.expectations.pending).toEqual([]);

  // App Runner's rollback runs from the failure at +18m to +38m; the service settles then.
  const settled = Date.parse(report.start) + 38 * MINUTE;
  const updates = updateServiceCalls(report);
  expect(updates).toHaveLength(1);
  expect(updates[0]!.status).toBeLessThan(400);
  expect(Date.parse(updates[0]!.time)).toBeGreaterThanOrEqual(settled);

  const [completed, ...more] = guardEvents(report, 'Rollback Completed');
  expect(more).toEqual([]);
  expect(completed!.detail).toMatchObject({
    outcome: 'acted',
    action: 'pin-image',
    details: {
      failureStatus: 'DeploymentFailed',
      toImage: `${REPO}@${GOOD}`,
      quarantinedDigest: digestOf('bad-v2'),
    },
  });
  // No "gave up, a human must look" on the way.
  expect(guardEvents(report, 'Rollback Skipped')).toEqual([]);
  expect(guardEvents(report, 'Rollback Failed')).toEqual([]);

  const service = report.fleet.find((s) => s.name === 'payments-api')!;
  expect(service.status).toBe('RUNNING');
  expect(service.configured).toBe(`${REPO}@${GOOD}`);
  expect(service.runningLabel).toBe('good-v1');
  expect(report.failedInvocations).toEqual([]);
}

describe('rollback while App Runner rolls back for 20 minutes', () => {
  it('failure reported on detection: the guard waits the rollback out and pins once the service settles, exactly once', async () => {
    expectPinnedOnce(await runScenario(scenario('rollback-slow-app-runner')));
  });

  it('failure reported after App Runner’s rollback: the guard pins at once, exactly once', async () => {
    expectPinnedOnce(await runScenario(scenario('rollback-slow-app-runner-after-rollback')));
  });
});
