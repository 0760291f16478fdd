import { normalizeFreeText, normalizeText } from '../events/text.ts';
import type { PeekedMessage } from './ports.ts';

/** What a DLQ message is: an event the function got from its queue, or Lambda's record of a failed async invocation. */
export type DeadLetterShape = 'event' | 'invocation-record' | 'unreadable';

/** One message waiting in a DLQ, as `guard dlq` shows it. */
export interface DeadLetter {
  messageId: string;
  shape: DeadLetterShape;
  /** What the function was given: an EventBridge event or a Scheduler payload. */
  event: {
    id?: string;
    source?: string;
    /** `detail-type`, or the Scheduler payload's `action`. */
    type?: string;
    /** App Runner's status, or the guard event's outcome (and action). */
    status?: string;
  };
  service?: { name?: string; arn?: string };
  /** The last error, when the message says it (attribute or invocation record). */
  lastError?: string;
  /** How many times the function got it, when known. */
  attempts?: number;
  /** SQS's receive count now (every receive counts, `guard dlq` peeks included). */
  receives: number;
  /** The earliest time known for it: the event's time, its scheduled time, or when it was sent. */
  firstSeen?: string;
  /** The queue SQS moved it from (`DeadLetterQueueSourceArn`). */
  sourceArn?: string;
  /** The function's input, for re-invoking an invocation record by hand. */
  payload?: unknown;
}

/** Message attributes that carry an error, in the order they are preferred. */
export const ERROR_ATTRIBUTES = ['lastError', 'error', 'ErrorMessage'] as const;

const ERROR_MAX = 500;
const NAME_MAX = 256;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max = NAME_MAX) =>
  typeof v === 'string' && v !== '' ? normalizeText(v, max) : undefined;
const SERVICE_ARN = /^arn:[\w-]+:apprunner:[\w-]+:\d{12}:service\/([^/]+)\/[^/]+$/;

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function isInvocationRecord(v: unknown): v is Json {
  return isObject(v) && isObject(v.requestContext) && 'requestPayload' in v;
}

/** The event's identity, status and service, from an EventBridge event or a Scheduler payload. */
function describeInput(input: unknown): Pick<DeadLetter, 'event' | 'service'> & { time?: string } {
  if (!isObject(input)) return { event: {} };
  const detail = isObject(input.detail) ? input.detail : undefined;
  if (detail) {
    const guardService = isObject(detail.service) ? detail.service : undefined;
    const resource = Array.isArray(input.resources)
      ? input.resources.find((r) => typeof r === 'string' && SERVICE_ARN.test(r))
      : undefined;
    const arn = text(guardService?.arn) ?? text(resource);
    const name =
      text(guardService?.name) ??
      text(detail.ServiceName) ??
      text(detail.serviceName) ??
      (arn ? SERVICE_ARN.exec(arn)?.[1] : undefined);
    const outcome = text(detail.outcome);
    const status =
      text(detail.Status) ??
      text(detail.operationStatus) ??
      text(detail.CurrentStatus) ??
      text(detail.currentServiceStatus) ??
      (outcome ? `${outcome}${text(detail.action) ? ` (${text(detail.action)})` : ''}` : undefined);
    const event = {
      ...(text(input.id) ? { id: text(input.id) } : {}),
      ...(text(input.source) ? { source: text(input.source) } : {}),
      ...(text(input['detail-type']) ? { type: text(input['detail-type']) } : {}),
      ...(status ? { status } : {}),
    };
    return {
      event,
      ...(name || arn ? { service: { ...(name ? { name } : {}), ...(arn ? { arn } : {}) } } : {}),
      ...(text(input.time) ? { time: text(input.time) } : {}),
    };
  }
  // A Scheduler payload: { action, scheduledTime, schedule?, services? }.
  const services = Array.isArray(input.services) ? input.services.filter((s) => typeof s === 'string') : [];
  const arn = text(input.serviceArn) ?? (services.length === 1 ? text(services[0]) : undefined);
  const name = text(input.serviceName) ?? (arn ? SERVICE_ARN.exec(arn)?.[1] : undefined);
  return {
    event: {
      ...(text(input.action) ? { type: text(input.action) } : {}),
      ...(text(input.schedule) ? { status: `schedule ${text(input.schedule)}` } : {}),
    },
    ...(name || arn ? { service: { ...(name ? { name } : {}), ...(arn ? { arn } : {}) } } : {}),
    ...(text(input.scheduledTime) ? { time: text(input.scheduledTime) } : {}),
  };
}

function earliest(...times: Array<string | undefined>): string | undefined {
  const ms = times.map((t) => (t === undefined ? Number.NaN : Date.parse(t))).filter((t) => !Number.isNaN(t));
  return ms.length === 0 ? undefined : new Date(Math.min(...ms)).toISOString();
}

/**
 * Describes one DLQ message for a human: what it was (event type and status, or the Scheduler
 * action), which service, the last error if the message says it, how many attempts, first seen.
 *
 * Two shapes reach the guard's DLQs: an event itself (moved from the function's queue after
 * `maxReceiveCount` deliveries; `attempts` is then that count) and Lambda's on-failure record of an
 * asynchronous invocation (`requestPayload` is the input, `responsePayload` the error,
 * `requestContext.condition` why it stopped, `approximateInvokeCount` the attempts). An error may
 * also come as a message attribute ({@link ERROR_ATTRIBUTES}; Lambda's own DLQs set `ErrorMessage`).
 * Text from the message is normalised and bounded; nothing in it is trusted to be well formed.
 */
export function describeDeadLetter(
  message: PeekedMessage,
  context: { maxReceiveCount?: number } = {},
): DeadLetter {
  const body = parse(message.body);
  const sent = message.attributes.SentTimestamp;
  const sentAt = sent && /^\d+$/.test(sent) ? new Date(Number(sent)).toISOString() : undefined;
  const receives = Number(message.attributes.ApproximateReceiveCount ?? 0);
  const sourceArn = text(message.attributes.DeadLetterQueueSourceArn, 2048);
  const attributeError = ERROR_ATTRIBUTES.map((a) => message.messageAttributes[a]).find(
    (v) => v !== undefined,
  );
  const errorCode = message.messageAttributes.ErrorCode;
  const fromAttributes = attributeError
    ? normalizeText(errorCode ? `${errorCode}: ${attributeError}` : attributeError, ERROR_MAX)
    : undefined;
  const common = {
    messageId: message.messageId,
    receives,
    ...(sourceArn ? { sourceArn } : {}),
  };

  if (isInvocationRecord(body)) {
    const ctx = body.requestContext as Json;
    const response = body.responsePayload;
    const responseError = isObject(response)
      ? [text(response.errorType), text(response.errorMessage, ERROR_MAX)].filter(Boolean).join(': ') ||
        undefined
      : normalizeFreeText(response, ERROR_MAX);
    const condition = text(ctx.condition);
    const lastError =
      fromAttributes ??
      (responseError && condition ? `${responseError} (${condition})` : (responseError ?? condition));
    const input = describeInput(body.requestPayload);
    const invokes = Number(ctx.approximateInvokeCount);
    return {
      ...common,
      shape: 'invocation-record',
      event: input.event,
      ...(input.service ? { service: input.service } : {}),
      ...(lastError ? { lastError } : {}),
      ...(Number.isInteger(invokes) && invokes > 0 ? { attempts: invokes } : {}),
      ...(earliest(input.time, text(body.timestamp), sentAt)
        ? { firstSeen: earliest(input.time, text(body.timestamp), sentAt) }
        : {}),
      payload: body.requestPayload,
    };
  }

  const input = describeInput(body);
  const firstSeen = earliest(input.time, sentAt);
  return {
    ...common,
    shape: isObject(body) ? 'event' : 'unreadable',
    event: input.event,
    ...(input.service ? { service: input.service } : {}),
    ...(fromAttributes ? { lastError: fromAttributes } : {}),
    ...(context.maxReceiveCount ? { attempts: context.maxReceiveCount } : {}),
    ...(firstSeen ? { firstSeen } : {}),
  };
}
