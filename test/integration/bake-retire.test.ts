/**
 * The guard's default alarm ends with its opt-in, both ways App Runner may behave: promptly on the
 * service's tag change event, else by the hourly pass over the guard's alarms; a deleted service's
 * alarm goes with it; dry-run reports and keeps (sandbox: real handlers, real patterns).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, ROOT, runScenario, type SandboxReport } from '../../sandbox/run.ts';

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox', 'scenarios', `${name}.yml`));
const retired = (report: SandboxReport) =>
  report.guardEvents.filter((e) => e['detail-type'] === 'Bake Alarm Retired');
const details = (e: { detail: Record<string, unknown> }) => e.detail.details as Record<string, unknown>;
const guardAlarms = (report: SandboxReport) =>
  report.alarms.filter((a) => a.tags['apprunner-guard:owner'] === 'apprunner-guard');
const seconds = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 1000;

afterAll(async () => {
  await closeSandbox();
});

function expectScenarioPassed(report: SandboxReport) {
  expect(report.expectations.failures).toEqual([]);
  expect(report.failedInvocations).toEqual([]);
}

describe('retiring the guard’s default alarm in the sandbox', () => {
  it('opt-in removed, or replaced by the team’s own alarm: deleted within minutes of the tag change; the team’s alarm kept', async () => {
    const report = await runScenario(scenario('bake-opt-in-removed'));
    expectScenarioPassed(report);
    expect(guardAlarms(report)).toEqual([]);
    expect(report.alarms.map((a) => a.name)).toEqual(['orders-api-p99-latency']);
    const events = retired(report);
    expect(events.map((e) => [e.detail.service, details(e).code])).toEqual([
      [expect.objectContaining({ name: 'payments-api' }), 'opt-in-removed'],
      [expect.objectContaining({ name: 'orders-api' }), 'alarms-tag'],
    ]);
    expect(details(events[0]!)).toMatchObject({
      foundBy: 'tag-change',
      alarmName: expect.stringMatching(/^apprunner-guard-sandbox-bake-payments-api-/),
      account: '111122223333',
      region: 'us-east-1',
      bakeRecord: 'removed',
    });
    // Promptly: the untag was at 11:00, the tag at 11:05.
    expect(seconds('2026-11-20T11:00:00Z', events[0]!.time as string)).toBeLessThan(120);
    expect(seconds('2026-11-20T11:05:00Z', events[1]!.time as string)).toBeLessThan(120);
    // Info: on-call reads which alarm, where and why, and that nothing is left to do.
    const slack = report.slackMessages.map((m) => JSON.stringify(m)).join('\n');
    expect(slack).toContain('Bake Alarm Retired');
    expect(slack).toContain('Nothing is left to do');
  });

  it('no tag change events (App Runner may not send them): the hourly pass deletes the alarm', async () => {
    const report = await runScenario(scenario('bake-opt-in-removed-no-tag-events'));
    expectScenarioPassed(report);
    expect(guardAlarms(report)).toEqual([]);
    const [event] = retired(report);
    expect(details(event!)).toMatchObject({ foundBy: 'backstop', code: 'opt-in-removed' });
    expect(event!.detail.trigger).toMatch(/^retire-alarms@/);
    // Not before the first pass after the untag (11:10).
    expect(Date.parse(event!.time as string)).toBeGreaterThanOrEqual(Date.parse('2026-11-20T12:00:00Z'));
  });

  it('the same scenario with tag change events on deletes it at the untag, and the hourly pass then has nothing to do', async () => {
    const s = scenario('bake-opt-in-removed-no-tag-events');
    s.settings.tagEvents = true;
    s.expect.events = (s.expect.events ?? []).map((e) =>
      e.detailType === 'Bake Alarm Retired'
        ? { ...e, reasonContains: 'Found on the service’s tag change' }
        : e,
    );
    const report = await runScenario(s);
    expectScenarioPassed(report);
    expect(guardAlarms(report)).toEqual([]);
    expect(retired(report).map((e) => details(e).foundBy)).toEqual(['tag-change']);
  });

  it('a service deleted during its bake: its alarm deleted and its bake closed; nothing promoted', async () => {
    const report = await runScenario(scenario('bake-service-deleted'));
    expectScenarioPassed(report);
    expect(report.alarms).toEqual([]);
    const [event] = retired(report);
    expect(details(event!)).toMatchObject({
      code: 'service-deleted',
      foundBy: 'service-deleted',
      bakeRecord: 'removed',
    });
  });

  it('dry run: says it would delete the alarm, and keeps it', async () => {
    const report = await runScenario(scenario('bake-retire-dry-run'));
    expectScenarioPassed(report);
    expect(guardAlarms(report)).toHaveLength(1);
    const events = retired(report);
    expect(events.every((e) => e.detail.dryRun === true)).toBe(true);
    expect(events.map((e) => details(e).foundBy)).toEqual(['tag-change', 'backstop']);
  });

  it('in a spoke: the alarms live there, and go on the forwarded tag change and deletion; the hub’s alarm kept', async () => {
    const report = await runScenario(scenario('multi-account-bake-retire'));
    expectScenarioPassed(report);
    expect(report.alarms).toEqual([expect.objectContaining({ name: 'hub-latency' })]);
    const events = retired(report);
    expect(
      events.map((e) => [(e.detail.service as { name: string }).name, details(e).code, details(e).foundBy]),
    ).toEqual([
      ['payments-api', 'opt-in-removed', 'tag-change'],
      ['orders-api', 'service-deleted', 'service-deleted'],
    ]);
    for (const e of events)
      expect(details(e)).toMatchObject({ account: '222233334444', region: 'eu-west-1' });
    // Before they were retired, they were the spoke's (created through the spoke role).
    const before = scenario('multi-account-bake-retire');
    before.steps = before.steps.slice(0, 2);
    before.expect.events = [];
    const kept = await runScenario(before);
    expect(guardAlarms(kept).map((a) => [a.account, a.region])).toEqual([
      ['222233334444', 'eu-west-1'],
      ['222233334444', 'eu-west-1'],
    ]);
  });
});
