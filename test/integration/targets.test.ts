/**
 * One guard, many accounts and regions (docs/architecture.md, "Many accounts and regions"): the
 * scenarios in sandbox/scenarios/multi-account-*.yml through the real handlers, the STS stand-in
 * checking the spoke role and external id, and the spokes' events forwarded as their rules would.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../sandbox/images.ts';
import {
  loadScenario,
  parseScenario,
  ROOT,
  runScenario,
  SANDBOX_EXTERNAL_ID_PARAMETER,
  type SandboxReport,
} from '../../sandbox/run.ts';

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox/scenarios', `${name}.yml`));
const SPOKE = '222233334444';
const DENIED = '333344445555';
const passed = (report: SandboxReport) => {
  expect(report.expectations.failures).toEqual([]);
  expect(report.expectations.passed).toBe(true);
};

/** The places the schedule's pause run reached (`<account>/<region>`, sorted), from its Schedule Run Completed. */
function pauseRunTargets(report: SandboxReport) {
  const run = report.guardEvents.find(
    (e) => e['detail-type'] === 'Schedule Run Completed' && e.detail.action === 'pause',
  )!;
  const { targets } = run.detail.details as { targets: Array<{ account: string; region: string }> };
  return targets.map((t) => `${t.account}/${t.region}`).sort();
}

describe('many accounts and regions in the sandbox', () => {
  it('rolls back a failed deployment in a spoke through the assumed role, and the alert names the spoke', async () => {
    const report = await runScenario(scenario('multi-account-rollback'));
    passed(report);
    const spoke = report.fleet.find((s) => s.account === SPOKE && s.name === 'payments-api')!;
    expect(spoke.region).toBe('eu-west-1');
    expect(spoke.configured).toContain(`@${digestOf('good-v1')}`);
    const hub = report.fleet.find((s) => s.account === '111122223333' && s.name === 'payments-api')!;
    expect(hub.configured).toMatch(/:latest$/);
    const completed = report.guardEvents.find((e) => e['detail-type'] === 'Rollback Completed')!;
    expect(completed.detail).toMatchObject({
      service: { account: SPOKE, region: 'eu-west-1' },
      where: { account: SPOKE, region: 'eu-west-1' },
    });
    // The one UpdateService was signed with the spoke's assumed-role credentials, in its region.
    expect(
      report.apiCalls.filter((c) => c.api === 'sts' && c.operation === 'AssumeRole').length,
    ).toBeGreaterThan(0);
    const alert = report.slackMessages.find((m) => m.text.includes('Rollback Completed'))!;
    expect(JSON.stringify(alert.payload)).toContain(SPOKE);
    expect(JSON.stringify(alert.payload)).toContain('eu-west-1.console.aws.amazon.com');
  });

  it('assumes the spoke roles with the external id read from an SSM SecureString parameter, once per container', async () => {
    const base = scenario('multi-account-rollback');
    const report = await runScenario({
      ...base,
      config: {
        ...base.config,
        GUARD_SPOKE_EXTERNAL_ID: '',
        GUARD_SPOKE_EXTERNAL_ID_PARAMETER: SANDBOX_EXTERNAL_ID_PARAMETER,
      },
    });
    passed(report);
    // The STS stand-in refuses a wrong external id: the rollback in the spoke proves it was read.
    expect(report.guardEvents.some((e) => e['detail-type'] === 'Rollback Completed')).toBe(true);
    const reads = report.apiCalls.filter((c) => c.api === 'ssm' && c.operation === 'GetParameter');
    const functions = new Set(report.invocations.map((i) => i.function));
    // At most one read of the id per function container (plus the Slack webhook reads of notify).
    expect(reads.length).toBeLessThanOrEqual(functions.size + 2);
  });

  it('pauses and resumes services in two regions of two accounts with one App Runner call per service', async () => {
    const report = await runScenario(scenario('multi-account-schedule'));
    passed(report);
    expect(pauseRunTargets(report)).toEqual([
      '111122223333/us-east-1',
      `${SPOKE}/eu-central-1`,
      `${SPOKE}/eu-west-1`,
      `${DENIED}/eu-west-1`,
    ]);
    // Per paused service: the pause itself, plus a ListServices page per target; no tag calls.
    const pauseWindow = report.apiCalls.filter(
      (c) => c.api === 'apprunner' && c.time < '2026-11-19T19:30:00.000Z',
    );
    expect(pauseWindow.filter((c) => c.operation === 'PauseService')).toHaveLength(4);
    expect(pauseWindow.length / 4).toBeLessThanOrEqual(2);
  });

  it('reports a spoke whose role refuses once, and proceeds with the others', async () => {
    const report = await runScenario(scenario('multi-account-spoke-denied'));
    passed(report);
    const failed = report.guardEvents.filter((e) => e['detail-type'] === 'Schedule Action Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatchObject({ where: { account: DENIED, region: 'eu-west-1' } });
    expect(String(failed[0]!.detail.reason)).toContain('AccessDenied');
    // Not retried: each invocation that needed the spoke was refused at once, at most twice (its
    // clients may ask together), with no SDK or queue retries; the hourly passes (the cleanup
    // sweep, the bake alarms' pass) run at the same moments, so a moment counts its invocations.
    // The hourly sweeps alert about the spoke once a day, not every hour.
    const refused = report.apiCalls.filter((c) => c.api === 'sts' && c.status >= 400);
    const byTime = new Map<string, number>();
    for (const c of refused) byTime.set(c.time, (byTime.get(c.time) ?? 0) + 1);
    expect(byTime.size).toBeGreaterThanOrEqual(3);
    for (const [time, n] of byTime) {
      const invoked = report.invocations.filter((i) => i.time === time && i.function !== 'notify');
      expect(invoked.length, time).toBeGreaterThan(0);
      expect(n, time).toBeLessThanOrEqual(2 * invoked.length);
    }
    expect(report.invocations.filter((i) => i.function === 'cleanup').length).toBeGreaterThanOrEqual(2);
    expect(report.guardEvents.filter((e) => e['detail-type'] === 'Cleanup Failed')).toHaveLength(1);
  });

  it('rejects events from an account or a region outside the targets, naming the field', async () => {
    const report = await runScenario(scenario('multi-account-foreign-event'));
    passed(report);
  });

  it('pauses services in accounts found only through an organisational unit, and rejects one outside it', async () => {
    const report = await runScenario(scenario('multi-account-organization'));
    passed(report);
    // The unit's account, its child unit's account; not the suspended one, not the other unit's.
    expect(pauseRunTargets(report)).toEqual([
      '111122223333/us-east-1',
      '444455556666/eu-west-1',
      '555566667777/eu-west-1',
    ]);
    const paused = report.fleet.filter((s) => s.status === 'PAUSED').map((s) => s.account);
    expect(paused.sort()).toEqual(['111122223333', '444455556666', '555566667777']);
    // Read once per function container (each within its 15 minutes), never per event.
    const reads = report.apiCalls.filter((c) => c.api === 'organizations');
    expect(reads.every((c) => c.status === 200)).toBe(true);
    expect(new Set(reads.map((c) => c.operation))).toEqual(
      new Set(['ListAccountsForParent', 'ListOrganizationalUnitsForParent']),
    );
  });

  it('watches an account moved into the unit while running, after its next reading (no redeploy)', async () => {
    const report = await runScenario(scenario('multi-account-organization-joins'));
    passed(report);
    const reads = report.apiCalls.filter(
      (c) => c.api === 'organizations' && c.operation === 'ListAccountsForParent',
    );
    // The hourly passes (the cleanup sweep, the bake alarms' pass on record-release), each in its
    // own function, read at 18:25 and again at 19:25 (their reading older than 15 minutes).
    const at = (time: string) => reads.filter((c) => c.time.startsWith(`2026-11-19T${time}`)).length;
    expect([at('18:25'), at('19:25')]).toEqual([2, 2]);
  });

  it('reports once, per function, a hub that may not read the organisation, and acts nowhere', async () => {
    const report = await runScenario(scenario('multi-account-organization-denied'));
    passed(report);
    const failed = report.guardEvents.filter((e) => e.detail.outcome === 'failed');
    expect(failed.map((e) => e['detail-type']).sort()).toEqual([
      'Cleanup Failed',
      // The bake alarms' hourly pass on record-release.
      'Release Recording Failed',
      'Rollback Failed',
      'Schedule Action Failed',
    ]);
    for (const e of failed) {
      expect(String(e.detail.reason)).toContain('ou-ab12-platform1');
      expect(String(e.detail.reason)).toContain('management account');
    }
    // Every later event failed at once, without another report and without being retried.
    expect(report.invocations.filter((i) => i.outcome === 'failed').length).toBeGreaterThan(failed.length);
    expect(report.failedInvocations).toEqual([]);
  });

  it('refuses a scenario whose fleet names an account or region outside its targets', () => {
    expect(() =>
      parseScenario({
        name: 'bad',
        start: '2026-11-20T10:00:00Z',
        targets: [{ account: SPOKE, regions: ['eu-west-1'] }],
        fleet: [{ name: 'web-app', image: 'web:v1', account: SPOKE, region: 'us-west-2' }],
      }),
    ).toThrow(/web-app" is in 222233334444\/us-west-2, not one of the targets/);
    expect(() =>
      parseScenario({
        name: 'bad',
        start: '2026-11-20T10:00:00Z',
        targets: [{ ou: 'ou-ab12-platform1', regions: ['eu-west-1'] }],
      }),
    ).toThrow(/targets.0.ou: ou-ab12-platform1 is not a unit of the scenario's organization/);
  });
});
