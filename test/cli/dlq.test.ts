import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../sandbox/clock.ts';
import { apiHandler, type LocalServer, listen } from '../../sandbox/http.ts';
import { createPrng } from '../../sandbox/prng.ts';
import { SqsStandIn } from '../../sandbox/sqs.ts';
import { dispatchSqs, sqsProtocol } from '../../sandbox/sqs-api.ts';
import { testHooks } from '../sandbox/support.ts';
import { loadFixture } from '../support/fixtures.ts';
import { runGuard } from './support.ts';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const STACK = 'apprunner-guard-test';
const START = Date.parse('2026-11-20T14:05:00Z');

let server: LocalServer;
let clock: SimClock;
let sqs: SqsStandIn;
let handler: (op: string, req: Parameters<typeof dispatchSqs>[2]) => Promise<ReturnType<typeof dispatchSqs>>;

const ENV = {
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  GUARD_STACK_NAME: STACK,
};
const saved = new Map<string, string | undefined>();

const guard = (...argv: string[]) => runGuard(argv, { ...ENV, AWS_ENDPOINT_URL_SQS: server.url });

/** Lambda's on-failure record of an asynchronous invocation that failed every attempt. */
const onFailureRecord = {
  version: '1.0',
  timestamp: '2026-11-20T15:03:10.000Z',
  requestContext: {
    requestId: 'e4b46cbf-b738-4e2c-8880-a18cdf61200e',
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${STACK}-cleanup:$LATEST`,
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: loadFixture('scheduler/cleanup-sweep'),
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorType: 'ThrottlingException', errorMessage: 'Rate exceeded', trace: [] },
};

/** The stack's queues, as the naming convention has them, and one event the notifier gave up on. */
async function seed() {
  clock = new SimClock(new Date(START));
  sqs = new SqsStandIn(clock, createPrng(1, 'sqs'), { account: ACCOUNT, region: REGION });
  for (const fn of ['notify', 'rollback']) {
    const dlq = sqs.createQueue(`${STACK}-${fn}-dlq`, { visibilityTimeoutSeconds: 30 });
    sqs.createQueue(`${STACK}-${fn}`, {
      visibilityTimeoutSeconds: 60,
      redrive: { deadLetterQueue: dlq.arn, maxReceiveCount: 3 },
    });
  }
  sqs.createQueue(`${STACK}-cleanup-invoke-dlq`, { visibilityTimeoutSeconds: 30 });
  sqs.createQueue('someone-else-dlq', { visibilityTimeoutSeconds: 30 });
  sqs.send(`${STACK}-notify`, JSON.stringify(loadFixture('guard/rollback-completed')), {
    messageAttributes: { lastError: 'Slack answered 503 Service Unavailable' },
  });
  for (let i = 0; i < 4; i++) {
    await clock.runUntil(START + i * 61_000);
    sqs.receive(`${STACK}-notify`, 10);
  }
  // Lambda writes the record when the last attempt failed.
  await clock.runUntil(Date.parse(onFailureRecord.timestamp));
  sqs.send(`${STACK}-cleanup-invoke-dlq`, JSON.stringify(onFailureRecord));
}

beforeAll(async () => {
  for (const k of Object.keys(ENV)) {
    saved.set(k, process.env[k]);
    process.env[k] = ENV[k as keyof typeof ENV];
  }
  const { hooks } = testHooks(new SimClock(new Date(START)));
  handler = async (op, req) => dispatchSqs(sqs, op, req);
  server = await listen(
    apiHandler(
      'sqs',
      sqsProtocol,
      (op, req) => handler(op, req),
      () => hooks,
    ),
  );
  saved.set('AWS_ENDPOINT_URL_SQS', process.env.AWS_ENDPOINT_URL_SQS);
  process.env.AWS_ENDPOINT_URL_SQS = server.url;
});
beforeEach(seed);
afterAll(async () => {
  await server.close();
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('guard dlq', () => {
  it("lists what waits in each of the stack's DLQs: event, service, last error, attempts, first seen; deletes nothing", async () => {
    const { code, out, err } = await guard('dlq');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(
      `${STACK}-notify-dlq — events of notify from ${STACK}-notify: 1 waiting, 0 in flight, 0 delayed`,
    );
    expect(out).toContain('• Rollback Completed — acted (pin-image) · payments-api');
    expect(out).toContain('first seen 2026-11-20T14:03:40.000Z · attempts 3');
    expect(out).toContain('last error: Slack answered 503 Service Unavailable');
    expect(out).toContain(`${STACK}-cleanup-invoke-dlq — failed asynchronous invocations of cleanup`);
    expect(out).toContain('• sweep');
    expect(out).toContain('last error: ThrottlingException: Rate exceeded (RetriesExhausted)');
    expect(out).toContain(`${STACK}-rollback-dlq — events of rollback from ${STACK}-rollback: 0 waiting`);
    expect(out).not.toContain('someone-else');
    expect(out).toContain('2 messages in 2 DLQs; nothing was deleted.');
    // Peeked, not taken: everything is still there and receivable.
    expect(sqs.depth(`${STACK}-notify-dlq`)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect(sqs.depth(`${STACK}-cleanup-invoke-dlq`)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
  });

  it('--json gives each DLQ and its described messages; --function narrows to one function', async () => {
    const { code, out } = await guard('dlq', '--function', 'cleanup', '--json');
    expect(code).toBe(0);
    const { dlqs } = JSON.parse(out) as { dlqs: Array<Record<string, unknown>> };
    expect(dlqs).toHaveLength(1);
    expect(dlqs[0]).toMatchObject({
      function: 'cleanup',
      kind: 'invoke',
      visible: 1,
      messages: [
        {
          shape: 'invocation-record',
          event: { type: 'sweep' },
          attempts: 3,
          lastError: 'ThrottlingException: Rate exceeded (RetriesExhausted)',
          firstSeen: '2026-11-20T15:00:00.000Z',
          payload: { action: 'sweep' },
        },
      ],
    });
  });

  it('says what it looked for when nothing matches, and names GUARD_STACK_NAME when it is missing', async () => {
    const unknown = await guard('dlq', '--function', 'deploy');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no DLQ for function "deploy" (DLQs exist for: cleanup, notify, rollback)');
    const wrongStack = await runGuard(['dlq'], { ...ENV, GUARD_STACK_NAME: 'apprunner-guard-prod' });
    expect(wrongStack.code).toBe(1);
    expect(wrongStack.err).toContain('no queue named apprunner-guard-prod-<function>-dlq');
    const missing = await runGuard(['dlq'], { ...ENV, GUARD_STACK_NAME: undefined });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('GUARD_STACK_NAME is required');
    expect(await guard('dlq', '--max', '0')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--max "0" is not a whole number from 1 to 1000'),
    });
  });
});

describe('guard dlq redrive', () => {
  it('--dry-run prints what it would move and moves nothing', async () => {
    const { code, out } = await guard('dlq', 'redrive', '--function', 'notify', '--dry-run');
    expect(code).toBe(0);
    expect(out).toContain(`${STACK}-notify-dlq: would move 1 message back to ${STACK}-notify:`);
    expect(out).toContain('• Rollback Completed — acted (pin-image) · payments-api');
    expect(out).toContain('Dry run: nothing was moved.');
    await clock.runUntil(clock.now + 60_000);
    expect(sqs.depth(`${STACK}-notify-dlq`).visible).toBe(1);
    expect(sqs.listMoveTasks(`${STACK}-notify-dlq`)).toEqual([]);
  });

  it("moves the events back to the function's queue with SQS's move task, which empties the DLQ", async () => {
    const { code, out } = await guard('dlq', 'redrive', '--function', 'notify');
    expect(code).toBe(0);
    const [task] = sqs.listMoveTasks(`${STACK}-notify-dlq`);
    expect(out).toContain(
      `${STACK}-notify-dlq: moving 1 message back to ${STACK}-notify (move task ${task!.handle}).`,
    );
    await clock.runUntil(clock.now + 2_000);
    expect(sqs.depth(`${STACK}-notify-dlq`)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const [back] = sqs.receive(`${STACK}-notify`, 10);
    expect(JSON.parse(back!.body)).toMatchObject({ 'detail-type': 'Rollback Completed' });
    expect(back!.attributes.ApproximateReceiveCount).toBe('1');
    const after = await guard('dlq', '--function', 'notify');
    expect(after.out).toContain('Nothing waits in 1 DLQ.');
  });

  it('leaves an invoke DLQ to a human, with the command that re-invokes each payload (exit 1)', async () => {
    const { code, out } = await guard('dlq', 'redrive');
    expect(code).toBe(1);
    expect(out).toContain(`${STACK}-cleanup-invoke-dlq: 1 message left to a human:`);
    expect(out).toContain('no queue feeds cleanup, so SQS cannot move them back');
    expect(out).toContain(
      `aws lambda invoke --function-name ${STACK}-cleanup --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{"action":"sweep"`,
    );
    expect(out).toContain(`${STACK}-notify-dlq: moving 1 message back to ${STACK}-notify`);
    expect(out).toContain(`${STACK}-rollback-dlq: empty, nothing to move.`);
    expect(sqs.depth(`${STACK}-cleanup-invoke-dlq`).visible).toBe(1);
  });

  it('leaves a DLQ whose move task is still running to it', async () => {
    sqs.startMoveTask(`${STACK}-notify-dlq`);
    const { code, out } = await guard('dlq', 'redrive', '--function', 'notify');
    expect(code).toBe(0);
    expect(out).toContain('a move task is already running (0 of 1 moved');
    expect(sqs.listMoveTasks(`${STACK}-notify-dlq`)).toHaveLength(1);
  });
});
