/**
 * The bake window in the sandbox (real handlers, CloudWatch alarm events through the rules): a
 * release that passes App Runner's health check but trips its alarm within the bake is rolled back
 * to the last promoted digest without a human, and nothing else is.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { digestOf } from '../../sandbox/images.ts';
import { loadScenario, ROOT, runScenario, type SandboxReport } from '../../sandbox/run.ts';

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox', 'scenarios', `${name}.yml`));
const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments';
const events = (report: SandboxReport, detailType: string) =>
  report.guardEvents.filter((e) => e['detail-type'] === detailType);
const updates = (report: SandboxReport) =>
  report.apiCalls.filter((c) => c.api === 'apprunner' && c.operation === 'UpdateService' && c.status === 200);
const details = (e: { detail: Record<string, unknown> }) => e.detail.details as Record<string, unknown>;

afterAll(async () => {
  await closeSandbox();
});

/** Every scenario holds its own expectations, with no invocation failing every attempt. */
function expectScenarioPassed(report: SandboxReport) {
  expect(report.expectations.failures).toEqual([]);
  expect(report.failedInvocations).toEqual([]);
}

describe('bake window in the sandbox', () => {
  it('a faulty release trips the default alarm within its bake: pinned to the last promoted digest, the candidate quarantined', async () => {
    const report = await runScenario(scenario('bake-faulty-rolled-back'));
    expectScenarioPassed(report);
    const [rollback] = events(report, 'Rollback Completed');
    expect(rollback!.detail).toMatchObject({
      job: 'rollback',
      outcome: 'acted',
      action: 'pin-image',
      details: {
        toImage: `${REPO}@${digestOf('good-v1')}`,
        quarantinedDigest: digestOf('faulty-v2'),
        candidateDigest: digestOf('faulty-v2'),
        alarmName: expect.stringMatching(/^apprunner-guard-sandbox-bake-payments-api-/),
        alarmReason: expect.stringContaining('Threshold Crossed'),
        bakeWindow: expect.stringContaining('30 minutes'),
        pinnedFromTag: `${REPO}:latest`,
      },
    });
    // One pin, in a real rollback of traffic: App Runner deploys good-v1 again.
    expect(updates(report)).toHaveLength(1);
    // The guard's default alarm exists, tagged as the guard's, and recovered once good-v1 served.
    expect(report.alarms).toEqual([
      expect.objectContaining({
        state: 'OK',
        tags: expect.objectContaining({ 'apprunner-guard:owner': 'apprunner-guard' }),
      }),
    ]);
    // On-call is told which alarm, why, and the window.
    const slack = report.slackMessages.map((m) => JSON.stringify(m)).join('\n');
    expect(slack).toContain('Rollback Completed');
    expect(slack).toContain('Bake window');
  });

  it('a healthy release is promoted (info); removing the opt-in deletes the guard’s alarm', async () => {
    const report = await runScenario(scenario('bake-healthy-promoted'));
    expectScenarioPassed(report);
    const promoted = events(report, 'Release Promoted');
    expect(promoted.map((e) => details(e).digest)).toEqual([digestOf('good-v1'), digestOf('good-v2')]);
    expect(promoted[0]!.detail).toMatchObject({
      job: 'record-release',
      outcome: 'acted',
      action: 'promote-release',
    });
    const recorded = events(report, 'Release Recorded').map((e) => details(e).state);
    expect(recorded).toEqual(['candidate', 'candidate', 'known-good']);
    // Without a tag change event, the deployment after the untag deleted the guard's alarm.
    expect(details(events(report, 'Release Recorded')[2]!)).toMatchObject({
      defaultAlarmDeleted: expect.stringMatching(/^apprunner-guard-sandbox-bake-payments-api-/),
    });
    expect(report.alarms).toEqual([]);
    expect(updates(report)).toHaveLength(0);
  });

  it('an alarm already firing when the deployment started: alerted, not rolled back, and the release still promoted once it recovers', async () => {
    const report = await runScenario(scenario('bake-alarm-before-deployment'));
    expectScenarioPassed(report);
    expect(details(events(report, 'Bake Alarm Already Firing')[0]!)).toMatchObject({
      attention: true,
      alarmsFiringAtStart: ['payments-p99-latency'],
    });
    expect(updates(report)).toHaveLength(0);
  });

  it('an alarm after promotion is alerted with how to roll back by hand, and changes nothing', async () => {
    const report = await runScenario(scenario('bake-alarm-after-promotion'));
    expectScenarioPassed(report);
    const [skipped] = events(report, 'Rollback Skipped');
    expect(skipped!.detail).toMatchObject({ details: { code: 'alarm-after-promotion', attention: true } });
    expect(skipped!.detail.reason).toContain('guard rollback payments-api');
    expect(updates(report)).toHaveLength(0);
  });

  it('a flapping alarm rolls the candidate back once', async () => {
    const report = await runScenario(scenario('bake-flapping-alarm'));
    expectScenarioPassed(report);
    expect(updates(report)).toHaveLength(1);
    expect(details(events(report, 'Rollback Skipped')[0]!)).toMatchObject({ code: 'already-rolled-back' });
  });

  it('dry-run: the rollback is reported, nothing is pinned or quarantined, the candidate is not promoted', async () => {
    const report = await runScenario(scenario('bake-dry-run'));
    expectScenarioPassed(report);
    expect(events(report, 'Rollback Completed')[0]!.detail).toMatchObject({ dryRun: true });
    expect(updates(report)).toHaveLength(0);
    expect(details(events(report, 'Release Not Promoted')[0]!)).toMatchObject({
      state: 'candidate',
      attention: true,
    });
  });

  it('a candidate still baking is never a rollback target', async () => {
    const report = await runScenario(scenario('bake-candidate-not-target'));
    expectScenarioPassed(report);
    const [rollback] = events(report, 'Rollback Completed');
    expect(details(rollback!)).toMatchObject({
      toDigest: digestOf('good-v1'),
      quarantinedDigest: digestOf('broken-v3'),
    });
  });
});
