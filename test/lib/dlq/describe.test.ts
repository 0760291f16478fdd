import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from '../../../lib/dlq/describe.ts';
import type { DlqReport } from '../../../lib/dlq/inventory.ts';
import type { PeekedMessage } from '../../../lib/dlq/ports.ts';
import { dlqName, parseDlqName } from '../../../lib/dlq/queues.ts';
import { planRedrive } from '../../../lib/dlq/redrive.ts';
import { loadFixture } from '../../support/fixtures.ts';

const message = (body: unknown, extra: Partial<PeekedMessage> = {}): PeekedMessage => ({
  messageId: 'm-1',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '4', SentTimestamp: String(Date.parse('2026-11-21T09:13:00Z')) },
  messageAttributes: {},
  ...extra,
});

describe('describeDeadLetter', () => {
  it("reads App Runner's camelCase spelling: status, service from the detail and the resource ARN", () => {
    const d = describeDeadLetter(message(loadFixture('apprunner-camel/deployment-failed')), {
      maxReceiveCount: 5,
    });
    expect(d).toMatchObject({
      shape: 'event',
      event: {
        type: 'AppRunner Service Operation Status Change',
        status: 'DeploymentFailed',
        source: 'aws.apprunner',
      },
      service: { name: 'payments-api', arn: expect.stringContaining(':service/payments-api/') },
      attempts: 5,
      receives: 4,
      firstSeen: '2026-11-21T09:12:44.000Z',
    });
    expect(d.lastError).toBeUndefined();
  });

  it("takes the error from Lambda's own DLQ attributes (ErrorCode, ErrorMessage), bounded", () => {
    const d = describeDeadLetter(
      message(loadFixture('apprunner-status/create-failed'), {
        messageAttributes: { ErrorCode: '200', ErrorMessage: `x${'y'.repeat(2000)}` },
      }),
    );
    expect(d.event.status).toBe('CREATE_FAILED');
    expect(d.lastError).toMatch(/^200: xy+… \[truncated \d+ chars\]$/);
    expect(d.attempts).toBeUndefined();
  });

  it('keeps a message that is not JSON, showing what it can', () => {
    const d = describeDeadLetter(message('not json \u0000 at all'));
    expect(d).toMatchObject({
      shape: 'unreadable',
      event: {},
      receives: 4,
      firstSeen: '2026-11-21T09:13:00.000Z',
    });
  });

  it('an invocation record without a response payload: the condition is the error', () => {
    const d = describeDeadLetter(
      message({
        version: '1.0',
        timestamp: '2026-11-20T19:12:00.000Z',
        requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
        requestPayload: loadFixture('scheduler/converge-retry'),
      }),
    );
    expect(d).toMatchObject({
      shape: 'invocation-record',
      event: { type: 'converge', status: 'schedule office-hours-berlin' },
      service: { name: 'checkout-web' },
      lastError: 'EventAgeExceeded',
      attempts: 1,
      firstSeen: '2026-11-20T19:10:00.000Z',
    });
  });
});

describe('DLQ names', () => {
  it('follow <stack>-<function>-dlq and <stack>-<function>-invoke-dlq', () => {
    expect(dlqName('ag-dev', 'pause-resume', 'queue')).toBe('ag-dev-pause-resume-dlq');
    expect(parseDlqName('ag-dev', 'ag-dev-pause-resume-dlq')).toEqual({
      function: 'pause-resume',
      kind: 'queue',
      name: 'ag-dev-pause-resume-dlq',
    });
    expect(parseDlqName('ag-dev', 'ag-dev-cleanup-invoke-dlq')).toMatchObject({
      function: 'cleanup',
      kind: 'invoke',
    });
    expect(parseDlqName('ag-dev', 'ag-dev-cleanup')).toBeUndefined();
    expect(parseDlqName('ag-dev', 'ag-prod-cleanup-dlq')).toBeUndefined();
    expect(parseDlqName('ag-dev', 'ag-dev--dlq')).toBeUndefined();
  });
});

describe('planRedrive', () => {
  const dlq = (over: Partial<DlqReport>): DlqReport => ({
    function: 'notify',
    kind: 'queue',
    name: 'ag-notify-dlq',
    url: 'u',
    arn: 'a',
    visible: 2,
    inFlight: 0,
    delayed: 0,
    sources: [{ name: 'ag-notify', url: 'su', arn: 'sa', maxReceiveCount: 3 }],
    messages: [],
    truncated: false,
    ...over,
  });

  it('moves an event DLQ back to its source; nothing to do when empty', () => {
    expect(planRedrive([dlq({}), dlq({ visible: 0 })]).map((a) => a.kind)).toEqual(['move', 'empty']);
    expect(planRedrive([dlq({})])[0]).toMatchObject({ count: 2, destinations: ['ag-notify'] });
  });

  it('leaves to a human an invoke DLQ and a DLQ no queue redrives to; leaves a running task alone', () => {
    const [invoke, orphan, running] = planRedrive([
      dlq({ kind: 'invoke', sources: [] }),
      dlq({ sources: [] }),
      dlq({ lastMoveTask: { status: 'RUNNING', sourceArn: 'a', moved: 1, toMove: 2, taskHandle: 't' } }),
    ]);
    expect(invoke).toMatchObject({
      kind: 'manual',
      reason: expect.stringContaining('SQS cannot move them back'),
    });
    expect(orphan).toMatchObject({ kind: 'manual', reason: expect.stringContaining('no source queue') });
    expect(running).toMatchObject({ kind: 'running', taskHandle: 't' });
  });
});
