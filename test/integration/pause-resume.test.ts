import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import type { BusEvent } from '../../sandbox/eventbridge.ts';
import { loadScenario, ROOT, runScenario, type SandboxReport } from '../../sandbox/run.ts';

// The sandbox's servers are started once per test file: stop them when it is done.
afterAll(closeSandbox);

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox/scenarios', `${name}.yml`));

const statusOf = (e: BusEvent) => String(e.detail.Status ?? e.detail.operationStatus ?? '');
const serviceOf = (e: BusEvent) => String(e.detail.ServiceName ?? e.detail.serviceName ?? '');
/** Times of one App Runner operation status for one service. */
const times = (report: SandboxReport, service: string, status: string) =>
  report.appRunnerEvents.filter((e) => serviceOf(e) === service && statusOf(e) === status).map((e) => e.time);

describe('pause/resume in the sandbox', () => {
  it('a week in Europe/Berlin across the fall-back night: every service ends as its schedule says, no human overruled', async () => {
    const report = await runScenario(scenario('pause-resume-week'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);

    // 07:00 and 20:00 Berlin time on both sides of the change: UTC+2 before Sunday 25 October, UTC+1 after.
    expect(times(report, 'checkout-web', 'ResumeServiceStarted').map((t) => t.slice(0, 16))).toEqual([
      '2026-10-23T05:00',
      '2026-10-26T06:00',
      '2026-10-28T06:00',
      '2026-10-29T06:00',
    ]);
    expect(times(report, 'checkout-web', 'PauseServiceStarted').map((t) => t.slice(0, 16))).toEqual([
      '2026-10-22T18:00',
      '2026-10-23T18:00',
      '2026-10-26T19:00',
      '2026-10-28T19:00',
    ]);

    // orders-api was busy at 20:00 and paused by a follow-up once its deployment had ended.
    const deployed = times(report, 'orders-api', 'DeploymentCompletedSuccessfully')[0]!;
    const firstPause = times(report, 'orders-api', 'PauseServiceStarted')[0]!;
    expect(deployed > '2026-10-22T18:00:00Z').toBe(true);
    expect(firstPause >= deployed).toBe(true);
    expect(firstPause < '2026-10-22T19:00:00Z').toBe(true);

    // demo-site stayed up until its override expired (Monday 22:00 UTC) and was paused within
    // five minutes of its end by the wake-up the Monday 20:00 run asked for.
    const overrideEnd = Date.parse('2026-10-26T22:00:00Z');
    const demoPaused = Date.parse(times(report, 'demo-site', 'PauseServiceStarted')[0]!);
    expect(demoPaused).toBeGreaterThanOrEqual(overrideEnd);
    expect(demoPaused - overrideEnd).toBeLessThanOrEqual(5 * 60_000);

    // One summary per run, with counts and per-service reasons; no per-service alerts.
    const runs = report.guardEvents.filter((e) => e['detail-type'] === 'Schedule Run Completed');
    const invocations = report.invocations.filter((i) => i.function === 'pause-resume');
    expect(runs).toHaveLength(invocations.length);
    const holiday = runs.find((e) =>
      (e.detail.details as { scheduledTime?: string }).scheduledTime?.startsWith('2026-10-27T06:00'),
    );
    expect(holiday?.detail.reason).toContain('2026-10-27 is a skip date in Europe/Berlin');
    const handPaused = (
      runs[0]!.detail.details as { services: Array<{ name: string; reason: string }> }
    ).services.find((s) => s.name === 'hand-paused');
    expect(handPaused?.reason).toContain('already paused');

    // The guard's marker is gone from everything it resumed, and was never put on the human's pause.
    for (const name of ['checkout-web', 'orders-api', 'demo-site', 'hand-paused']) {
      expect(report.fleet.find((s) => s.name === name)!.tags['apprunner-guard:paused-by']).toBeUndefined();
    }
  }, 120_000);

  it('thirty services under App Runner throttling, across the US spring-forward night, with a duplicate fire: each paused and resumed once', async () => {
    const report = await runScenario(scenario('pause-resume-fleet-throttled'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
    expect(report.apiCalls.filter((c) => c.api === 'apprunner' && c.fault).length).toBeGreaterThan(0);
    // 19:00 EST on Saturday, 08:00 EDT on Sunday.
    const fires = report.invocations.filter((i) => i.function === 'pause-resume');
    expect(fires.map((i) => i.time.slice(0, 16))).toEqual([
      '2026-03-08T00:00',
      '2026-03-08T00:02',
      '2026-03-08T12:00',
    ]);
    // The redelivered fire returned the first run's result without acting again.
    expect(fires[1]!.reason).toBe(fires[0]!.reason);
    expect(report.guardEvents.filter((e) => e['detail-type'] === 'Schedule Run Completed')).toHaveLength(2);
  }, 120_000);
});
