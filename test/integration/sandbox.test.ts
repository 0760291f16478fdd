import { join } from 'node:path';
import { AppRunnerClient, DescribeServiceCommand } from '@aws-sdk/client-apprunner';
import { afterAll, describe, expect, it } from 'vitest';
import { replayScenario } from '../../cli/replay.ts';
import { closeSandbox } from '../../sandbox/environment.ts';
import { renderReport } from '../../sandbox/render.ts';
import { loadScenario, parseScenario, ROOT, runScenario } from '../../sandbox/run.ts';
import { loadFixture } from '../support/fixtures.ts';

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox', 'scenarios', `${name}.yml`));

afterAll(async () => {
  await closeSandbox();
});

describe('sandbox scenarios (real handlers, real SDK clients, local stand-ins)', () => {
  it('demo: all four jobs, end to end, with a timeline a newcomer can read', async () => {
    const report = await runScenario(scenario('demo'));
    expect(report.expectations).toMatchObject({ passed: true, failures: [] });
    const payments = report.fleet.find((f) => f.name === 'payments-api')!;
    expect(payments.configuredLabel).toBe('payments@payments-v2');
    const text = renderReport(report);
    expect(text).toContain('DeploymentFailed · status OPERATION_IN_PROGRESS → RUNNING');
    // The outcome line may wrap; "pinned" must still be in the rollback entry (before the next entry).
    expect(text).toMatch(/λ rollback +← DeploymentFailed payments-api\n +acted: [^⚑✉#☁λ]*pinned/);
    expect(text).toMatch(
      /pinned the service to the newest known-good release\s+sha256:[0-9a-f]{6}…\(payments-v2\)/,
    );
    expect(text).toContain('# Slack');
    expect(text).toContain('office-hours-berlin-pause fired (cron(0 20 * * ? *), Thu 20:00 Europe/Berlin)');
    expect(text).toContain('Expectations: all');
    expect(report.failedInvocations).toEqual([]);
  });

  it('faults: throttling, 5xx, duplicated and shuffled camelCase events, a Slack outage — one pin, no alert lost', async () => {
    const report = await runScenario(scenario('faults'));
    expect(report.expectations.failures).toEqual([]);
    expect(
      report.appRunnerEvents.every(
        (e) => 'operationStatus' in e.detail || 'currentServiceStatus' in e.detail,
      ),
    ).toBe(true);
    expect(report.apiCalls.filter((c) => c.fault).map((c) => c.fault)).toEqual(
      expect.arrayContaining(['throttle', 'tooManyRequests', 'serverError']),
    );
    expect(report.invocations.some((i) => i.trigger.duplicate)).toBe(true);
    expect(report.slackRejections.some((r) => r.reason === 'outage')).toBe(true);
  });

  it('runs each scenario with its own configuration: dry-run rollback plans and reports but changes nothing', async () => {
    const base = scenario('rollback-dry-run');
    const report = await runScenario(base);
    expect(report.expectations.failures).toEqual([]);
    const guard = report.guardEvents.find(
      (e) => e['detail-type'] === 'Rollback Completed' || e.detail.job === 'rollback',
    );
    expect(guard?.detail).toMatchObject({ job: 'rollback', dryRun: true });
    expect(report.apiCalls.filter((c) => c.operation === 'UpdateService')).toEqual([]);
    // The next scenario in the same process is back to acting for real.
    const live = await runScenario({ ...base, dryRun: [], expect: {} });
    expect(live.apiCalls.filter((c) => c.operation === 'UpdateService' && c.status === 200)).toHaveLength(1);
  });

  it('keeps an event in its queue while App Runner is down, backing off, and handles it once App Runner is back', async () => {
    const report = await runScenario(
      parseScenario({
        name: 'app-runner-down',
        start: '2026-11-20T10:00:00Z',
        end: '+2h',
        images: [{ image: 'payments:latest', digest: 'v1' }],
        fleet: [{ name: 'payments-api', image: 'payments:latest' }],
        settings: { deployedSchedules: false },
        steps: [{ at: '+1m', deploy: { service: 'payments-api' } }],
        faults: {
          apprunner: { serverError: { from: '+2m', until: '+40m', operations: ['DescribeService'] } },
        },
        expect: { failedInvocations: [] },
      }),
    );
    expect(report.expectations.failures).toEqual([]);
    const attempts = report.invocations.filter((i) => i.function === 'record-release');
    // Lambda's async invoke gave up after three attempts in three minutes; the queue keeps the event
    // and the backoff (30 s doubling to 15 min) outlasts a 38-minute outage.
    expect(attempts.length).toBeGreaterThan(3);
    expect(attempts.slice(0, -1).every((a) => a.outcome === 'error')).toBe(true);
    expect(attempts.at(-1)!.outcome).not.toBe('error');
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, k) => k + 1));
    expect(attempts[0]!.reason).toContain('InternalServiceErrorException');
    expect(attempts[0]!.reason).toMatch(/back at \d\d:\d\d:\d\d/);
    // The handler measured on the simulated clock: it says when the message comes back, and it does.
    expect(attempts[0]!.reason).toContain(`back at ${attempts[1]!.time.slice(11, 19)}`);
    const gaps = attempts.slice(1).map((a, k) => (Date.parse(a.time) - Date.parse(attempts[k]!.time)) / 1000);
    expect(gaps.slice(0, 3)).toEqual([30, 60, 120]);
    expect(Date.parse(attempts.at(-1)!.time)).toBeGreaterThanOrEqual(Date.parse('2026-11-20T10:40:00Z'));
    expect(report.failedInvocations).toEqual([]);
  });

  it('fails the run when expectations are not met, naming each one', async () => {
    const report = await runScenario(
      parseScenario({
        name: 'wrong',
        start: '2026-11-20T10:00:00Z',
        settings: { deployedSchedules: false },
        images: [{ image: 'web:v1', digest: 'web-v1' }],
        fleet: [{ name: 'web-site', image: 'web:v1' }],
        expect: {
          services: {
            'web-site': { status: 'PAUSED' },
            ghost: { pending: 'not built yet', status: 'RUNNING' },
          },
          slack: [{ count: 2 }],
        },
      }),
    );
    expect(report.expectations.passed).toBe(false);
    expect(report.expectations.failures).toEqual([
      'service web-site: status is RUNNING, expected PAUSED',
      'slack (any): expected exactly 2, found 0',
    ]);
    expect(report.expectations.pending).toEqual([
      { expectation: 'service ghost', wouldPass: false, note: 'not built yet', detail: 'no such service' },
    ]);
  });

  it('replays one event: the fleet holds its service, the real handlers run, and the SDK sees the simulator', async () => {
    const event = loadFixture('apprunner-operation/deployment-failed');
    const report = await runScenario(replayScenario(event));
    expect(report.fleet.map((f) => f.arn)).toEqual([(event as { resources: string[] }).resources[0]]);
    expect(report.invocations.map((i) => i.function).sort()).toEqual(
      expect.arrayContaining(['notify', 'rollback']),
    );
    const rejected = await runScenario(replayScenario(loadFixture('invalid/foreign-account')));
    expect(rejected.events[0]?.targets.length).toBeGreaterThan(0);
    expect(rejected.invocations.every((i) => i.outcome === 'rejected')).toBe(true);
  });

  it('a 5,000-level DeploymentFailed is rejected cleanly by every function it reaches, never retried, and alerted once', async () => {
    const report = await runScenario(replayScenario(loadFixture('invalid/deeply-nested')));
    expect(report.invocations.map((i) => i.function).sort()).toEqual(['notify', 'rollback']);
    expect(report.invocations.every((i) => i.outcome === 'rejected' && i.attempt === 1)).toBe(true);
    expect(report.failedInvocations).toEqual([]);
    expect(report.snsMessages.map((m) => m.subject)).toEqual([
      '[CRITICAL] Rejected a DeploymentFailed event: payments-api',
    ]);
  });

  it('a DeploymentFailed with a 10,000-character Message is handled, not rejected', async () => {
    const report = await runScenario(replayScenario(loadFixture('hostile/long-message')));
    expect(report.invocations.length).toBeGreaterThan(0);
    expect(report.invocations.some((i) => i.outcome === 'rejected')).toBe(false);
  });

  it('outside a run the stand-ins answer 503; a step App Runner refuses shows as refused with the modelled error', async () => {
    const first = await runScenario(replayScenario(loadFixture('apprunner-operation/deployment-failed')));
    const arn = first.fleet[0]!.arn;
    const client = new AppRunnerClient({ region: 'us-east-1', maxAttempts: 1 });
    // Outside a run every stand-in answers 503.
    const outside = await client
      .send(new DescribeServiceCommand({ ServiceArn: arn }))
      .catch((e: unknown) => e);
    expect((outside as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(503);
    // Inside a run, a step refused by App Runner shows as a refused step, with the modelled error.
    const report = await runScenario(
      parseScenario({
        name: 'refused',
        start: '2026-11-20T10:00:00Z',
        end: '+10m',
        settings: { deployedSchedules: false },
        images: [{ image: 'web:v1', digest: 'web-v1' }],
        fleet: [{ name: 'web-site', image: 'web:v1', status: 'PAUSED' }],
        steps: [{ at: '+1m', deploy: { service: 'web-site' } }],
      }),
    );
    const step = report.timeline.find((t) => t.kind === 'step');
    expect(step).toMatchObject({ ok: false, error: expect.stringContaining('InvalidStateException') });
  });
});
