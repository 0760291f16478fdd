import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, runScenario, type SandboxReport } from '../../sandbox/run.ts';

// The sandbox's servers are started once per test file: stop them when it is done.
afterAll(closeSandbox);

const scenario = (name: string) =>
  loadScenario(fileURLToPath(new URL(`../../sandbox/scenarios/${name}.yml`, import.meta.url)));

/** The secret part of the sandbox's webhook URL: it must appear nowhere in what the guard produced. */
const WEBHOOK_SECRET = 'sandboxwebhooksecret';

function expectNoSecret(report: SandboxReport) {
  // The receiver records which webhook path it was called on (its `channel`); what the guard
  // produced is the payloads, results, SNS messages and guard events.
  const produced = JSON.stringify([
    report.invocations,
    report.snsMessages,
    report.slackMessages.map((m) => m.payload),
    report.guardEvents,
  ]);
  expect(produced).not.toContain(WEBHOOK_SECRET);
}

describe('alerts in the sandbox', () => {
  it('a failed deployment gives exactly one Slack and one SNS message, carrying the rollback outcome', async () => {
    const report = await runScenario(scenario('notify-deployment-failed'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);

    expect(report.snsMessages).toHaveLength(1);
    const sns = report.snsMessages[0]!;
    expect(sns.attributes).toEqual({
      severity: 'info',
      service: 'payments-api',
      status: 'acted',
      job: 'rollback',
      dryRun: 'false',
    });
    const body = JSON.parse(sns.message);
    expect(body).toMatchObject({
      detailType: 'Rollback Completed',
      details: { failureStatus: 'DeploymentFailed', toImage: expect.stringContaining('@sha256:') },
    });
    expect(body.summary).toMatch(/App Runner reported DeploymentFailed: .*Health check failed/);

    expect(report.slackMessages).toHaveLength(1);
    expect(report.slackMessages[0]!.text).toContain('Rollback Completed: payments-api');
    // The raw DeploymentFailed event was answered without a message of its own.
    expect(report.invocations.filter((i) => i.function === 'notify').map((i) => i.outcome)).toEqual(
      expect.arrayContaining(['noop', 'acted']),
    );
    expectNoSecret(report);
  });

  it('a Slack outage and rate limiting lose nothing and double nothing', async () => {
    const report = await runScenario(scenario('notify-slack-outage'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
    expect(report.slackRejections.map((r) => r.reason)).toEqual(expect.arrayContaining(['outage']));
    // One SNS message and one Slack message per failure, whatever Slack did in between.
    const services = (messages: { text?: string; subject?: string }[]) =>
      messages.map((m) => /Pause failed: ([\w-]+)/.exec(m.subject ?? m.text ?? '')?.[1]).sort();
    expect(services(report.snsMessages)).toEqual(['batch-worker', 'checkout-web', 'search-api']);
    expect(services(report.slackMessages)).toEqual(['batch-worker', 'checkout-web', 'search-api']);
    expect(report.failedInvocations).toEqual([]);
    expectNoSecret(report);
  });

  it('a storm collapses into one message now and one with the count later', async () => {
    const report = await runScenario(scenario('notify-storm'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
    expect(report.snsMessages.map((m) => JSON.parse(m.message).storm?.count ?? 0)).toEqual([0, 5]);
    expect(report.slackMessages[1]!.text).toContain('5 more alerts like this');
    // The storm timer fired after the next alert had carried the count: it sent nothing.
    const timer = report.invocations.find((i) => i.function === 'notify' && i.trigger.kind === 'schedule');
    expect(timer?.outcome).toBe('noop');
  });

  it('a storm that stops is summarized at the end of its window, with no other alert afterwards', async () => {
    const report = await runScenario(scenario('notify-storm-flush'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
    const [first, summary] = report.snsMessages;
    expect(report.snsMessages).toHaveLength(2);
    expect(summary!.subject).toContain('Storm summary, Pause failed: checkout-web');
    const body = JSON.parse(summary!.message);
    expect(body.storm.count).toBe(5);
    // Sent by the timer: one minute after the window that the first alert opened.
    const windowEnd = Date.parse(JSON.parse(first!.message).time) + 10 * 60_000;
    expect(Date.parse(summary!.time) - windowEnd).toBe(60_000);
    expect(report.slackMessages.map((m) => m.text.includes('Storm summary'))).toEqual([false, true]);
    expectNoSecret(report);
  });
});
