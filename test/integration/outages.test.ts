import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, runScenario, type SandboxReport } from '../../sandbox/run.ts';

// The sandbox's servers are started once per test file: stop them when it is done.
afterAll(closeSandbox);

const scenario = (name: string) =>
  loadScenario(fileURLToPath(new URL(`../../sandbox/scenarios/${name}.yml`, import.meta.url)));

const MINUTE = 60_000;
const at = (report: SandboxReport, offsetMs: number) => Date.parse(report.start) + offsetMs;

/** When each service's pause failure happened (the App Runner event on the bus). */
function failures(report: SandboxReport): Map<string, number> {
  const times = new Map<string, number>();
  for (const r of report.events) {
    const d = r.event.detail as Record<string, string | undefined>;
    if ((d.Status ?? d.status) === 'PauseServiceFailed')
      times.set((d.ServiceName ?? d.serviceName)!, Date.parse(r.time));
  }
  return times;
}

const slackTimes = (report: SandboxReport, service: string) =>
  report.slackMessages
    .filter((m) => m.text.includes(`Pause failed: ${service}`))
    .map((m) => Date.parse(m.time));
const snsTimes = (report: SandboxReport, service: string) =>
  report.snsMessages
    .filter((m) => (m.subject ?? '').includes(`Pause failed: ${service}`))
    .map((m) => Date.parse(m.time));

describe('alert channels through outages', () => {
  it('Slack down for an hour: on-call is paged by SNS at once, and Slack gets every alert of the hour exactly once after it returns, with every DLQ empty', async () => {
    const report = await runScenario(scenario('notify-slack-outage-hour'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);

    const failed = failures(report);
    expect([...failed.keys()].sort()).toEqual(['batch-worker', 'checkout-web', 'report-job', 'search-api']);
    const slackBack = at(report, 60 * MINUTE);
    for (const [service, time] of failed) {
      const sns = snsTimes(report, service);
      expect(sns, `SNS for ${service}`).toHaveLength(1);
      // SNS is not held back by Slack being down.
      expect(sns[0]! - time, `SNS delay for ${service}`).toBeLessThan(2 * MINUTE);
      const slack = slackTimes(report, service);
      expect(slack, `Slack for ${service}`).toHaveLength(1);
      expect(slack[0]!).toBeGreaterThanOrEqual(slackBack);
      // Back-off is capped at 15 minutes: every alert arrives within a quarter of an hour of Slack's return.
      expect(slack[0]! - slackBack, `Slack delay for ${service}`).toBeLessThanOrEqual(16 * MINUTE);
    }
    expect(report.slackRejections.length).toBeGreaterThan(0);
    // Queue DLQs and Lambda on-failure destinations alike: nothing for a human to redrive.
    expect(report.failedInvocations).toEqual([]);
  });

  it('SNS throttled by KMS for ten minutes: Slack gets each alert once and on time, SNS each once after the window, every DLQ empty', async () => {
    const report = await runScenario(scenario('notify-sns-kms-throttling'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);

    const failed = failures(report);
    expect(failed.size).toBe(3);
    const windowEnd = at(report, 10 * MINUTE);
    for (const [service, time] of failed) {
      const slack = slackTimes(report, service);
      expect(slack, `Slack for ${service}`).toHaveLength(1);
      expect(slack[0]! - time, `Slack delay for ${service}`).toBeLessThan(2 * MINUTE);
      const sns = snsTimes(report, service);
      expect(sns, `SNS for ${service}`).toHaveLength(1);
      expect(sns[0]!).toBeGreaterThanOrEqual(Math.max(windowEnd, time));
      expect(sns[0]! - windowEnd, `SNS delay for ${service}`).toBeLessThanOrEqual(16 * MINUTE);
    }
    expect(
      report.apiCalls.filter((c) => c.api === 'sns' && c.error === 'KMSThrottlingException').length,
    ).toBeGreaterThanOrEqual(3);
    expect(report.failedInvocations).toEqual([]);
  });
});
