import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { APP_RUNNER_IN_PROGRESS, translateAwsError } from '../../../lib/aws/errors.ts';
import { createIdempotencyStore } from '../../../lib/aws/idempotency.ts';
import {
  type InvalidEventError,
  RetryAfterError,
  RetryableError,
  TerminalError,
  WakeAtError,
} from '../../../lib/core/errors.ts';
import { type JobResult, withGuard } from '../../../lib/core/handler-stack.ts';
import type { WakeUpRequest } from '../../../lib/core/ports/wake-ups.ts';
import type { AppRunnerEvent } from '../../../lib/events/app-runner.ts';
import { appRunnerTrigger } from '../../../lib/events/parse-trigger.ts';
import { againOf } from '../../../lib/events/scheduler.ts';
import { useDynamoDB } from '../../support/dynamodb.ts';
import { hubTargets, lambdaContext } from '../../support/env.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { networkError, sdkError } from '../../support/sdk-errors.ts';

const TABLE = 'with-guard-idempotency';

const db = useDynamoDB({ tables: { idempotency: TABLE, ledger: 'with-guard-ledger' } });

function build(run: (e: AppRunnerEvent) => Promise<JobResult>, prepare?: () => Promise<void>) {
  const reportFailure = vi.fn(async () => {});
  const onReject = vi.fn(async (_error: InvalidEventError, _raw: unknown) => {});
  const body = vi.fn(run);
  const parse = vi.fn(appRunnerTrigger(hubTargets()));
  const handler = withGuard({
    job: 'rollback',
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    parse,
    onReject,
    run: body,
    reportFailure,
    persistenceStore: createIdempotencyStore(db.client, TABLE),
    ...(prepare ? { prepare } : {}),
  });
  const invoke = (event: unknown) => handler(event, lambdaContext() as unknown as Context);
  return { invoke, body, reportFailure, onReject, parse };
}

/** A fresh copy of a fixture with a unique event id, so tests do not share idempotency keys. */
function freshEvent(name = 'apprunner-operation/deployment-failed') {
  const event = loadFixture<{ id: string }>(name);
  event.id = crypto.randomUUID();
  return event;
}

describe('withGuard', () => {
  it('runs the body once when the same event is delivered twice', async () => {
    const { invoke, body } = build(async () => ({ outcome: 'acted', reason: 'pinned' }));
    const event = freshEvent();
    const first = await invoke(event);
    const second = await invoke(structuredClone(event));
    expect(first).toEqual({ outcome: 'acted', reason: 'pinned' });
    expect(second).toEqual(first);
    expect(body).toHaveBeenCalledTimes(1);
  });

  it('runs different events separately', async () => {
    const { invoke, body } = build(async () => ({ outcome: 'noop', reason: 'nothing to do' }));
    await invoke(freshEvent());
    await invoke(freshEvent());
    expect(body).toHaveBeenCalledTimes(2);
  });

  it('hands the body the normalized event, whichever spelling arrived', async () => {
    const { invoke, body } = build(async () => ({ outcome: 'noop', reason: 'ok' }));
    await invoke(freshEvent('apprunner-camel/deployment-failed'));
    expect(body.mock.calls[0]![0]).toMatchObject({
      kind: 'operation',
      status: 'DeploymentFailed',
      spelling: 'camelCase',
    });
  });

  it('rejects an invalid event without running the body or throwing, and hands it to onReject', async () => {
    const { invoke, body, onReject } = build(async () => ({ outcome: 'acted', reason: 'x' }));
    const raw = loadFixture('invalid/foreign-account');
    const result = await invoke(raw);
    expect(result).toMatchObject({ outcome: 'rejected', field: 'account' });
    expect(body).not.toHaveBeenCalled();
    expect(onReject).toHaveBeenCalledTimes(1);
    expect(onReject.mock.calls[0]![0].field).toBe('account');
    expect(onReject.mock.calls[0]![1]).toBe(raw);
  });

  it('rejects an event nested 5,000 levels deep before parsing: no stack overflow, no retry', async () => {
    const { invoke, body, onReject, parse } = build(async () => ({ outcome: 'acted', reason: 'x' }));
    const result = await invoke(loadFixture('invalid/deeply-nested'));
    expect(result).toMatchObject({ outcome: 'rejected', field: 'detail.Extra' });
    expect(parse).not.toHaveBeenCalled();
    expect(body).not.toHaveBeenCalled();
    expect(onReject).toHaveBeenCalledTimes(1);
  });

  it('rejects an event over 256 KB before parsing', async () => {
    const { invoke, parse, onReject } = build(async () => ({ outcome: 'acted', reason: 'x' }));
    const event = freshEvent();
    (event as { detail?: Record<string, unknown> }).detail!.Message = 'x'.repeat(300 * 1024);
    const result = await invoke(event);
    expect(result).toMatchObject({ outcome: 'rejected', field: '(event)' });
    expect(result.reason).toMatch(/larger than 262144 bytes/);
    expect(parse).not.toHaveBeenCalled();
    expect(onReject).toHaveBeenCalledTimes(1);
  });

  it('lets a failing onReject throw, so Lambda retries the event rather than losing the alert', async () => {
    const { invoke, onReject } = build(async () => ({ outcome: 'acted', reason: 'x' }));
    onReject.mockRejectedValueOnce(Object.assign(new Error('SNS down'), { name: 'InternalErrorException' }));
    await expect(invoke(loadFixture('invalid/foreign-account'))).rejects.toThrow('SNS down');
  });

  it('throws retryable errors so Lambda retries, and lets the retry run the body again', async () => {
    let calls = 0;
    const { invoke, body, reportFailure } = build(async () => {
      calls++;
      if (calls === 1) throw new RetryableError('service is OPERATION_IN_PROGRESS');
      return { outcome: 'acted', reason: 'second time lucky' };
    });
    const event = freshEvent();
    await expect(invoke(event)).rejects.toThrow('OPERATION_IN_PROGRESS');
    await expect(invoke(event)).resolves.toEqual({ outcome: 'acted', reason: 'second time lucky' });
    expect(body).toHaveBeenCalledTimes(2);
    expect(reportFailure).not.toHaveBeenCalled();
  });

  it.each([
    ['throttling (400 ThrottlingException)', sdkError('ThrottlingException', 'Rate exceeded')],
    ['HTTP 429', sdkError('TooManyRequestsException', 'slow down', { status: 429 })],
    ['HTTP 500', sdkError('InternalServiceErrorException', 'oops', { status: 500 })],
    ['HTTP 503', sdkError('ServiceUnavailableException', 'down', { status: 503 })],
    ['an unmodelled 5xx', sdkError('UnknownError', 'bad gateway', { status: 502 })],
    ['a network error', networkError('ECONNRESET')],
    ['an operation in progress', sdkError('InvalidStateException', 'in progress')],
  ])('throws %s out of the handler so the event is retried, without alerting', async (_, sdk) => {
    const error = translateAwsError(sdk, { inProgress: APP_RUNNER_IN_PROGRESS });
    const { invoke, reportFailure } = build(async () => {
      throw error;
    });
    await expect(invoke(freshEvent())).rejects.toBe(error);
    expect(reportFailure).not.toHaveBeenCalled();
  });

  it('throws wake-at and errors no adapter translated (a bug), never drops the event', async () => {
    for (const error of [
      new WakeAtError('override ends', new Date('2026-12-01T23:00:00Z')),
      new TypeError('x'),
    ]) {
      const { invoke, reportFailure } = build(async () => {
        throw error;
      });
      await expect(invoke(freshEvent())).rejects.toBe(error);
      expect(reportFailure).not.toHaveBeenCalled();
    }
  });

  it('returns terminal errors as a failed result, reports them once, and does not re-alert on redelivery', async () => {
    const { invoke, body, reportFailure } = build(async () => {
      throw new TerminalError('loop guard tripped');
    });
    const event = freshEvent();
    const result = await invoke(event);
    expect(result).toEqual({ outcome: 'failed', reason: 'TerminalError: loop guard tripped' });
    await invoke(event);
    expect(body).toHaveBeenCalledTimes(1);
    expect(reportFailure).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['ResourceNotFoundException', sdkError('ResourceNotFoundException', 'Service not found')],
    ['HTTP 403', sdkError('AccessDeniedException', 'not allowed', { status: 403 })],
    ['a modelled 4xx', sdkError('InvalidRequestException', 'bad request')],
  ])('returns %s as a failed result and reports it once', async (_, sdk) => {
    const { invoke, reportFailure } = build(async () => {
      throw translateAwsError(sdk);
    });
    await expect(invoke(freshEvent())).resolves.toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining(sdk.name),
    });
    expect(reportFailure).toHaveBeenCalledTimes(1);
  });
});

describe('withGuard: readying the targets before parsing', () => {
  it('prepares before each event is parsed', async () => {
    const order: string[] = [];
    const { invoke, parse } = build(
      async () => ({ outcome: 'noop', reason: 'ok' }),
      async () => {
        order.push('prepare');
      },
    );
    parse.mockImplementation((raw) => {
      order.push('parse');
      return appRunnerTrigger(hubTargets())(raw);
    });
    await invoke(freshEvent());
    expect(order).toEqual(['prepare', 'parse']);
  });

  it('returns failed, without parsing or running, when the targets cannot be read terminally', async () => {
    const { invoke, body, parse, reportFailure } = build(
      async () => ({ outcome: 'acted', reason: 'pinned' }),
      async () => {
        throw new TerminalError('AWS Organizations refused the hub');
      },
    );
    const result = await invoke(freshEvent());
    expect(result).toEqual({ outcome: 'failed', reason: 'TerminalError: AWS Organizations refused the hub' });
    expect(parse).not.toHaveBeenCalled();
    expect(body).not.toHaveBeenCalled();
    // The preparation reports its own failure (once per container), not the job's reporter.
    expect(reportFailure).not.toHaveBeenCalled();
  });

  it('throws a retryable failure to read the targets, so the event comes back', async () => {
    const { invoke, body } = build(
      async () => ({ outcome: 'acted', reason: 'pinned' }),
      async () => {
        throw translateAwsError(sdkError('TooManyRequestsException', 'slow down', { status: 400 }));
      },
    );
    await expect(invoke(freshEvent())).rejects.toThrow('slow down');
    expect(body).not.toHaveBeenCalled();
  });
});

describe('withGuard: a direct Scheduler invocation that asks to come back later', () => {
  const payload = { action: 'flush-storms', scheduledTime: '2026-11-30T12:00:00.000Z' };

  function buildDirect(error: Error, maxWaitSeconds = 3600) {
    const wakeAt = vi.fn(async (r: WakeUpRequest) => ({
      name: `notify.${r.key}`,
      at: r.at,
      created: true,
      clamped: false,
    }));
    const reportFailure = vi.fn(async () => {});
    const handler = withGuard<Record<string, unknown>>({
      job: 'notify',
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      parse: (raw) => {
        const p = raw as { scheduledTime: string; firstAttemptAt?: string };
        return {
          key: `flush#${p.scheduledTime}#${crypto.randomUUID()}`,
          input: p,
          again: againOf(raw, p),
        };
      },
      onReject: async () => {},
      run: async () => {
        throw error;
      },
      reportFailure,
      persistenceStore: false,
      wakeUps: { wakeAt },
      maxWaitSeconds,
    });
    const invoke = (event: unknown) => handler(event, lambdaContext() as unknown as Context);
    return { invoke, wakeAt, reportFailure };
  }

  it('retry after a delay → a wake-up of the same payload at scheduled time + delay, first attempt kept', async () => {
    const { invoke, wakeAt, reportFailure } = buildDirect(new RetryAfterError('service busy', 300));
    const result = await invoke(payload);
    expect(result).toMatchObject({ outcome: 'deferred', retryAt: '2026-11-30T12:05:00.000Z' });
    expect(wakeAt).toHaveBeenCalledTimes(1);
    const request = wakeAt.mock.calls[0]![0];
    expect(request).toMatchObject({ job: 'notify', at: new Date('2026-11-30T12:05:00Z') });
    expect(request.payload).toEqual({
      action: 'flush-storms',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      firstAttemptAt: '2026-11-30T12:00:00.000Z',
    });
    expect(reportFailure).not.toHaveBeenCalled();
  });

  it('wake at a time → a wake-up at that time', async () => {
    const { invoke, wakeAt } = buildDirect(new WakeAtError('window ends', new Date('2026-11-30T12:20:00Z')));
    await invoke(payload);
    expect(wakeAt.mock.calls[0]![0].at).toEqual(new Date('2026-11-30T12:20:00Z'));
  });

  it('a later attempt keeps the first attempt time, and past the maximum wait reports once and fails', async () => {
    const { invoke, wakeAt, reportFailure } = buildDirect(new RetryAfterError('service busy', 600), 3600);
    const later = {
      ...payload,
      scheduledTime: '2026-11-30T12:55:00.000Z',
      firstAttemptAt: '2026-11-30T12:00:00.000Z',
    };
    const result = await invoke(later);
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/gave up after waiting since 2026-11-30T12:00:00.000Z/);
    expect(wakeAt).not.toHaveBeenCalled();
    expect(reportFailure).toHaveBeenCalledTimes(1);

    const within = { ...later, scheduledTime: '2026-11-30T12:40:00.000Z' };
    await invoke(within);
    expect(wakeAt.mock.calls[0]![0].payload).toMatchObject({ firstAttemptAt: '2026-11-30T12:00:00.000Z' });
  });

  it('other errors are still thrown (retryable) from a direct invocation', async () => {
    const { invoke, wakeAt } = buildDirect(new RetryableError('throttled'));
    await expect(invoke(payload)).rejects.toThrow('throttled');
    expect(wakeAt).not.toHaveBeenCalled();
  });
});
