import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, runScenario, type SandboxReport } from '../../sandbox/run.ts';

// The sandbox's servers are started once per test file: stop them when it is done.
afterAll(closeSandbox);

const scenario = (name: string) =>
  loadScenario(fileURLToPath(new URL(`../../sandbox/scenarios/${name}.yml`, import.meta.url)));

type GuardDetail = {
  outcome: string;
  reason: string;
  trigger: string;
  details: Record<string, unknown>;
  service?: { name: string };
};

const guardEventsOf = (report: SandboxReport, service: string) =>
  report.guardEvents
    .filter((e) => (e.detail as GuardDetail).service?.name === service)
    .map((e) => ({ time: e.time, detailType: e['detail-type'], detail: e.detail as GuardDetail }));

const statusOf = (report: SandboxReport, name: string) => report.fleet.find((s) => s.name === name)?.status;

describe('cleanup in the sandbox: failures, grace period, repair, lost events', () => {
  let report: SandboxReport;
  beforeAll(async () => {
    report = await runScenario(scenario('cleanup'));
  });

  it('meets the scenario’s expectations', () => {
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
  });

  it('announces a failed creation once, then deletes it when the grace period is over', () => {
    const events = guardEventsOf(report, 'batch-worker');
    expect(events.map((e) => e.detailType)).toEqual([
      'Failed Service Deletion Scheduled',
      'Failed Service Deleted',
    ]);
    const [scheduled, deleted] = events;
    const deleteAt = scheduled!.detail.details.deleteAt as string;
    // 90 minutes (the scenario's grace period) after the failure event.
    expect(Date.parse(deleteAt) - Date.parse(scheduled!.time)).toBeGreaterThanOrEqual(89 * 60_000);
    expect(Date.parse(deleted!.time)).toBeGreaterThanOrEqual(Date.parse(deleteAt));
    // What on-call needs is in the one alert: the failure, the evidence, what happens next.
    expect(scheduled!.detail.details).toMatchObject({
      status: 'CREATE_FAILED',
      failureStatus: 'CreateServiceFailed',
      failureMessage: expect.stringContaining('Service creation failed'),
      snapshotKey: expect.stringMatching(/^snapshot#/),
      lastOperations: expect.stringContaining('CREATE_SERVICE FAILED'),
    });
    // The deletion links back to the evidence taken at the failure.
    expect(deleted!.detail.details.failureSnapshotKey).toBe(scheduled!.detail.details.snapshotKey);
    expect(statusOf(report, 'batch-worker')).toBe('DELETED');
  });

  it('handles both events of one failure, but acts and alerts once', () => {
    const handled = report.invocations.filter(
      (i) => i.function === 'cleanup' && /batch-worker/.test(i.trigger.label) && i.trigger.kind === 'event',
    );
    expect(handled.map((i) => i.outcome).sort()).toEqual(['acted', 'noop']);
    const slack = report.slackMessages.filter((m) => m.text.includes('batch-worker'));
    expect(slack.filter((m) => m.text.includes('Deletion Scheduled'))).toHaveLength(1);
  });

  it('keeps the service repaired during its grace period', () => {
    expect(guardEventsOf(report, 'reports-api').map((e) => [e.detailType, e.detail.outcome])).toEqual([
      ['Failed Service Deletion Scheduled', 'acted'],
      ['Release Recorded', 'acted'],
      ['Failed Service Kept', 'noop'],
    ]);
    expect(statusOf(report, 'reports-api')).toBe('RUNNING');
  });

  it('the sweep catches a CREATE_FAILED service whose event never came', () => {
    const events = guardEventsOf(report, 'legacy-worker');
    expect(events.map((e) => e.detailType)).toEqual([
      'Failed Service Deletion Scheduled',
      'Failed Service Deleted',
    ]);
    expect(events[0]!.detail.trigger).toBe('sweep@2026-11-20T15:00:00Z');
    expect(statusOf(report, 'legacy-worker')).toBe('DELETED');
  });

  it('never touches a running service', () => {
    expect(guardEventsOf(report, 'web-api')).toEqual([]);
    expect(statusOf(report, 'web-api')).toBe('RUNNING');
    expect(report.apiCalls.filter((c) => c.operation === 'DeleteService')).toHaveLength(2);
  });
});

describe('cleanup in the sandbox: failed deletions, opt-out, quota', () => {
  let report: SandboxReport;
  beforeAll(async () => {
    report = await runScenario(scenario('cleanup-retries'));
  });

  it('meets the scenario’s expectations', () => {
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
  });

  it('retries a failed deletion with back-off until it succeeds', () => {
    const deletes = report.apiCalls.filter((c) => c.operation === 'DeleteService' && c.status === 200);
    // Two services, three attempts each: now, +5 minutes after the first failure, +10 after the second.
    expect([...new Set(deletes.map((c) => c.time.slice(11, 16)))]).toEqual(['15:00', '15:06', '15:17']);
    expect(statusOf(report, 'stubborn-worker')).toBe('DELETED');
  });

  it('gives up after the last attempt and asks a human, once', () => {
    const failed = guardEventsOf(report, 'hopeless-worker').filter((e) => e.detailType === 'Cleanup Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('A human should look'),
      details: { attempt: 3, maxDeleteAttempts: 3 },
    });
    expect(statusOf(report, 'hopeless-worker')).toBe('DELETE_FAILED');
  });

  it('keeps the opted-out service and says so once, across hourly sweeps', () => {
    expect(guardEventsOf(report, 'kept-worker').map((e) => e.detailType)).toEqual(['Failed Service Kept']);
    expect(statusOf(report, 'kept-worker')).toBe('CREATE_FAILED');
  });

  it('warns when the fleet reaches the service quota', () => {
    const warnings = report.guardEvents.filter((e) => e['detail-type'] === 'Service Quota Warning');
    expect(warnings).toHaveLength(1);
    expect((warnings[0]!.detail as GuardDetail).reason).toContain('4 of 4 App Runner services');
  });
});
