import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { renderReport } from '../../sandbox/render.ts';
import { loadScenario, parseScenario, ROOT, runScenario } from '../../sandbox/run.ts';

afterAll(async () => {
  await closeSandbox();
});

const START = Date.parse('2026-11-20T10:00:00Z');
const seconds = (time: string) => (Date.parse(time) - START) / 1000;

describe('sandbox: a push step', () => {
  it("puts ECR's push event on the bus through the rules, then deploys only the services following that tag", async () => {
    const report = await runScenario(
      parseScenario({
        name: 'push-events',
        start: '2026-11-20T10:00:00Z',
        end: '+30m',
        images: [{ image: 'payments:latest', digest: 'payments-v1' }],
        fleet: [
          { name: 'payments-api', image: 'payments:latest', autoDeploy: true },
          { name: 'payments-pinned', image: 'payments@payments-v1', autoDeploy: true },
        ],
        steps: [
          { at: '+1m', push: { image: 'payments:latest', digest: 'payments-v2' } },
          { at: '+10m', push: { image: 'payments:v9', digest: 'payments-v9' } },
        ],
        expect: {
          events: [
            { source: 'aws.ecr', detailType: 'ECR Image Action', count: 2 },
            { status: 'DeploymentStarted', service: 'payments-api', count: 1 },
            { status: 'DeploymentStarted', service: 'payments-pinned', count: 0 },
          ],
          services: {
            'payments-api': { running: 'payments-v2', image: 'payments:latest' },
            'payments-pinned': { running: 'payments-v1', image: 'payments@payments-v1' },
          },
        },
      }),
    );
    expect(report.expectations.failures).toEqual([]);
    const ecr = report.events.filter((r) => r.event.source === 'aws.ecr');
    expect(ecr.map((r) => [r.origin, seconds(r.time), r.targets, r.event.detail])).toEqual([
      [
        'ecr',
        60,
        ['fix-forward'],
        expect.objectContaining({ result: 'SUCCESS', 'action-type': 'PUSH', 'image-tag': 'latest' }),
      ],
      [
        'ecr',
        600,
        ['fix-forward'],
        expect.objectContaining({ 'repository-name': 'payments', 'image-tag': 'v9' }),
      ],
    ]);
    // ECR's event comes before the automatic deployment it causes; it is not an App Runner event.
    const order = report.events.map((r) => r.event.detail.Status ?? r.event['detail-type']);
    expect(order.indexOf('ECR Image Action')).toBeLessThan(order.indexOf('DeploymentStarted'));
    expect(report.appRunnerEvents.some((e) => e.source === 'aws.ecr')).toBe(false);
    const text = renderReport(report);
    expect(text).toContain('☁ ECR');
    expect(text).toContain('no automatic deployment of payments-pinned');
  });

  it("runs App Runner's timing settings: the failure event at detection, the service RUNNING only after the rollback", async () => {
    const report = await runScenario(
      parseScenario({
        name: 'slow-rollback',
        start: '2026-11-20T10:00:00Z',
        end: '+40m',
        settings: { appRunnerRollbackSeconds: 1200, failureEventTiming: 'detection' },
        dryRun: ['rollback'],
        images: [{ image: 'payments:latest', digest: 'payments-v1' }],
        fleet: [{ name: 'payments-api', image: 'payments:latest', autoDeploy: true }],
        steps: [{ at: '+1m', push: { image: 'payments:latest', digest: 'payments-v2', bad: true } }],
      }),
    );
    const timed = report.appRunnerEvents.map((e) => {
      const what = e.detail.Status ?? `${e.detail.PreviousStatus}→${e.detail.CurrentStatus}`;
      return `${what} @${seconds(e.time)}s`;
    });
    expect(timed).toEqual([
      'DeploymentStarted @60s',
      'RUNNING→OPERATION_IN_PROGRESS @60s',
      'DeploymentFailed @240s',
      'OPERATION_IN_PROGRESS→RUNNING @1440s',
    ]);
    const payments = report.fleet.find((f) => f.name === 'payments-api');
    expect(payments?.status).toBe('RUNNING');
  });

  it('rollback-slow-app-runner: the sandbox side holds (one failure event at detection, RUNNING after 20 minutes); the pin itself is asserted in rollback-slow.test.ts', async () => {
    const report = await runScenario(
      loadScenario(join(ROOT, 'sandbox', 'scenarios', 'rollback-slow-app-runner.yml')),
    );
    expect(report.expectations.failures).toEqual([]);
    const failed = report.appRunnerEvents.find((e) => e.detail.Status === 'DeploymentFailed');
    // The first return to RUNNING after the failure is App Runner's rollback ending (the guard's pin
    // follows it with an update of its own).
    const settled = report.appRunnerEvents.find(
      (e) =>
        e.detail.CurrentStatus === 'RUNNING' &&
        failed !== undefined &&
        seconds(e.time) > seconds(failed.time),
    );
    expect(failed && seconds(failed.time)).toBe(18 * 60);
    expect(settled && seconds(settled.time)).toBe(38 * 60);
  });
});
