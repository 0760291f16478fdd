import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGuardTables, type LocalDynamoDB, startDynamoDB } from '../../sandbox/dynamodb.ts';
import { guardEnv, lambdaContext } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';

const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0k3nXYZ';
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);

let db: LocalDynamoDB;
let slack: Server;
let slackUrl: string;
let slackReplies: number[] = [];
let slackReceived: { text: string }[] = [];
let logs = '';
let handler: (event: unknown, context: Context) => Promise<unknown>;

beforeAll(async () => {
  db = await startDynamoDB();
  const env = guardEnv();
  await createGuardTables(db.client, { idempotency: env.IDEMPOTENCY_TABLE!, ledger: env.LEDGER_TABLE! });
  slack = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const status = slackReplies.shift() ?? 200;
      if (status === 200) slackReceived.push(JSON.parse(body));
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : status === 404 ? 'no_service' : 'internal_error');
    });
  });
  await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}${SECRET_PATH}`;
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', db.endpoint);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  // Capture every log line (Powertools writes errors to stderr, the rest to stdout).
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs += String(chunk);
      return true;
    });
  }
  ({ handler } = (await import('../../functions/notify.ts')) as unknown as { handler: typeof handler });
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  slack.closeAllConnections();
  await new Promise((r) => slack.close(r));
  await db.close();
});

beforeEach(() => {
  sns.reset();
  ssm.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: 'x', Type: 'SecureString', Value: slackUrl } });
  slackReplies = [];
  slackReceived = [];
});

const invoke = (event: unknown) =>
  handler(event, lambdaContext('apprunner-guard-test-notify') as unknown as Context);

/** A fixture with a unique event id (the idempotency key), so tests do not share keys. */
function fresh(
  name: string,
  change?: (raw: Record<string, unknown> & { detail: Record<string, unknown> }) => void,
) {
  const raw = loadFixture<Record<string, unknown> & { id: string; detail: Record<string, unknown> }>(name);
  raw.id = crypto.randomUUID();
  change?.(raw);
  return raw;
}

describe('notify handler', () => {
  it('sends one SNS and one Slack message per event, and nothing again when the event is delivered twice', async () => {
    const event = fresh('guard/rollback-completed');
    const first = await invoke(event);
    const second = await invoke(structuredClone(event));
    expect(first).toMatchObject({ outcome: 'acted', channels: ['sns', 'slack'] });
    expect(second).toEqual(first);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(slackReceived).toHaveLength(1);
    expect(slackReceived[0]!.text).toContain('Rollback Completed: payments-api');
  });

  it('sends nothing of its own for a deployment failure: the rollback outcome reports it', async () => {
    await expect(invoke(fresh('apprunner-operation/deployment-failed'))).resolves.toEqual({
      outcome: 'noop',
      reason: 'reported with the rollback outcome',
    });
    await expect(invoke(fresh('apprunner-camel/create-failed'))).resolves.toEqual({
      outcome: 'noop',
      reason: 'reported with the cleanup outcome',
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(slackReceived).toHaveLength(0);
  });

  it('a Slack outage is retried without publishing to SNS twice', async () => {
    slackReplies = [503];
    const event = fresh('guard/cleanup-failed');
    await expect(invoke(event)).rejects.toThrow('HTTP 503');
    await expect(invoke(event)).resolves.toMatchObject({ outcome: 'acted', channels: ['slack'] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(slackReceived).toHaveLength(1);
  });

  it('a rejected webhook is terminal, reported through SNS directly, and the URL appears nowhere', async () => {
    slackReplies = [404];
    logs = '';
    const event = fresh('guard/schedule-action-failed', (raw) => {
      raw.time = '2026-11-20T18:00:00Z';
    });
    const result = await invoke(event);
    expect(result).toEqual({
      outcome: 'failed',
      reason: 'SlackRejectedError: Slack webhook rejected the message: HTTP 404 no_service',
    });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.Subject)).toEqual([
      '[CRITICAL] Schedule Action Failed: checkout-web',
      '[CRITICAL] apprunner-guard could not deliver an alert',
    ]);
    expect(published[1]!.MessageAttributes?.job).toEqual({ DataType: 'String', StringValue: 'notify' });
    expect(logs).toContain('terminal failure');
    for (const text of [JSON.stringify(result), JSON.stringify(published), logs]) {
      expect(text).not.toContain(SECRET_PATH);
      expect(text).not.toContain(slackUrl);
    }
    // Redelivered: the failure was the idempotent result, nobody is alerted twice.
    await invoke(structuredClone(event));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('rejects events from another account without alerting', async () => {
    await expect(invoke(loadFixture('invalid/foreign-account'))).resolves.toMatchObject({
      outcome: 'rejected',
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
