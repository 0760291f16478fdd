import {
  ApiError,
  type HttpRequest,
  type HttpResponse,
  jsonResponse,
  type Protocol,
  parseJsonBody,
  requestId,
} from './http.ts';
import { SQS_LIMITS, type SqsAttributeValue, type SqsStandIn } from './sqs.ts';

/**
 * How SQS's AWS JSON 1.0 protocol (query-compatible) reports each error: the model's shape name in
 * `__type`, the query-protocol code in `x-amzn-query-error` (which the SDK prefers) and the status.
 * Codes absent here (`InvalidParameterValue`, `MissingParameter`, the injected faults) are SQS's
 * common errors: the code is the shape name too.
 */
const SQS_ERRORS: Readonly<Record<string, { query: string; status: number }>> = {
  QueueDoesNotExist: { query: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { query: 'QueueAlreadyExists', status: 400 },
  ReceiptHandleIsInvalid: { query: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { query: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  ResourceNotFoundException: { query: 'ResourceNotFoundException', status: 404 },
  UnsupportedOperation: { query: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  RequestThrottled: { query: 'RequestThrottled', status: 403 },
  InvalidAttributeName: { query: 'InvalidAttributeName', status: 400 },
  InvalidMessageContents: { query: 'InvalidMessageContents', status: 400 },
};

/** SQS's AWS JSON 1.0 protocol: `X-Amz-Target: AmazonSQS.<Operation>`, query-compatible errors. */
export const sqsProtocol: Protocol = {
  operationOf(req) {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.startsWith('AmazonSQS.')) return undefined;
    return target.slice('AmazonSQS.'.length);
  },
  errorResponse(error) {
    const known = SQS_ERRORS[error.code];
    const status = known?.status ?? error.status;
    return {
      status,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': requestId(),
        'x-amzn-query-error': `${known?.query ?? error.code};${status >= 500 ? 'Receiver' : 'Sender'}`,
      },
      body: JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }),
    };
  },
  faultError(kind) {
    // SQS's throttling error is RequestThrottled (403, as modelled); the SDK retries it.
    if (kind === 'throttle') return new ApiError('RequestThrottled', 'Request is throttled.', 403);
    if (kind === 'tooManyRequests') return new ApiError('ThrottlingException', 'Rate exceeded', 429);
    return new ApiError('InternalError', 'An internal error occurred (injected by the sandbox).', 500);
  },
};

const QUEUE_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'QueueArn',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'VisibilityTimeout',
] as const;

const SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
  'DeadLetterQueueSourceArn',
] as const;

const str = (v: unknown, name: string, required = true): string | undefined => {
  if (v === undefined || v === null) {
    if (required) throw new ApiError('MissingParameter', `The request must contain the parameter ${name}.`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ApiError('InvalidParameterValue', `${name} must be a string.`);
  return v;
};

const int = (v: unknown, name: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new ApiError('InvalidParameterValue', `Value ${String(v)} for parameter ${name} is invalid.`);
  }
  return n;
};

const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

/**
 * Answers one SQS operation of the real `@aws-sdk/client-sqs` from the stand-in: CreateQueue,
 * GetQueueUrl, ListQueues, GetQueueAttributes, SendMessage, ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility, ListDeadLetterSourceQueues, StartMessageMoveTask, ListMessageMoveTasks.
 *
 * Queue URLs are answered on the host the request came to (`http://127.0.0.1:<port>/<account>/<name>`):
 * the SDK sends each call to its `QueueUrl`'s host, as with the real service. ReceiveMessage never
 * waits (`WaitTimeSeconds` is accepted, but simulated time does not pass during a request).
 */
export function dispatchSqs(sqs: SqsStandIn, operation: string, req: HttpRequest): HttpResponse {
  const input = parseJsonBody(req);
  const host = typeof req.headers.host === 'string' ? req.headers.host : '127.0.0.1';
  const urlOf = (name: string) => {
    const { url } = sqs.settings(name);
    return `http://${host}${new URL(url).pathname}`;
  };
  const queueOf = (): string => {
    const url = str(input.QueueUrl, 'QueueUrl')!;
    const q = sqs.find(url);
    if (!q) throw new ApiError('QueueDoesNotExist', 'The specified queue does not exist.');
    return q.name;
  };
  const ok = (body: unknown) => jsonResponse(body, '1.0');

  switch (operation) {
    case 'CreateQueue': {
      const name = str(input.QueueName, 'QueueName')!;
      const attributes = (input.Attributes ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(attributes)) {
        if (
          !['VisibilityTimeout', 'RedrivePolicy', 'MessageRetentionPeriod', 'SqsManagedSseEnabled'].includes(
            key,
          )
        ) {
          throw new ApiError('InvalidAttributeName', `Unknown Attribute ${key}.`);
        }
      }
      const visibility = int(attributes.VisibilityTimeout, 'VisibilityTimeout') ?? 30;
      let redrive: { deadLetterQueue: string; maxReceiveCount: number } | undefined;
      if (attributes.RedrivePolicy !== undefined) {
        let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
        try {
          policy = JSON.parse(String(attributes.RedrivePolicy)) as typeof policy;
        } catch {
          throw new ApiError(
            'InvalidParameterValue',
            'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.',
          );
        }
        const target = str(policy.deadLetterTargetArn, 'RedrivePolicy.deadLetterTargetArn')!;
        redrive = {
          deadLetterQueue: target,
          maxReceiveCount: int(policy.maxReceiveCount, 'maxReceiveCount') ?? 0,
        };
      }
      sqs.createQueue(name, { visibilityTimeoutSeconds: visibility, ...(redrive ? { redrive } : {}) });
      return ok({ QueueUrl: urlOf(name) });
    }
    case 'GetQueueUrl': {
      const name = str(input.QueueName, 'QueueName')!;
      if (!sqs.list().some((q) => q.name === name)) {
        throw new ApiError('QueueDoesNotExist', 'The specified queue does not exist.');
      }
      return ok({ QueueUrl: urlOf(name) });
    }
    case 'ListQueues': {
      const prefix = str(input.QueueNamePrefix, 'QueueNamePrefix', false) ?? '';
      const max = int(input.MaxResults, 'MaxResults');
      if (max !== undefined && (max < 1 || max > 1000)) {
        throw new ApiError(
          'InvalidParameterValue',
          'Value for parameter MaxResults is invalid. Reason: must be between 1 and 1000.',
        );
      }
      const all = sqs
        .list()
        .filter((q) => q.name.startsWith(prefix))
        .map((q) => q.name)
        .sort();
      // Without MaxResults SQS returns at most 1,000 and no token.
      const from =
        input.NextToken === undefined ? 0 : Number(Buffer.from(String(input.NextToken), 'base64').toString());
      const page = all.slice(from, from + (max ?? 1000));
      const next = max !== undefined && from + max < all.length ? from + max : undefined;
      return ok({
        ...(page.length > 0 ? { QueueUrls: page.map(urlOf) } : {}),
        ...(next !== undefined ? { NextToken: Buffer.from(String(next)).toString('base64') } : {}),
      });
    }
    case 'GetQueueAttributes': {
      const name = queueOf();
      const wanted = names(input.AttributeNames);
      for (const a of wanted) {
        if (a !== 'All' && !(QUEUE_ATTRIBUTES as readonly string[]).includes(a)) {
          throw new ApiError('InvalidAttributeName', `Unknown Attribute ${a}.`);
        }
      }
      const s = sqs.settings(name);
      const depth = sqs.depth(name);
      const all: Record<string, string> = {
        ApproximateNumberOfMessages: String(depth.visible),
        ApproximateNumberOfMessagesNotVisible: String(depth.inFlight),
        ApproximateNumberOfMessagesDelayed: String(depth.delayed),
        CreatedTimestamp: String(Math.floor(s.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(s.createdAt / 1000)),
        DelaySeconds: '0',
        MaximumMessageSize: String(SQS_LIMITS.maxBodyBytes),
        MessageRetentionPeriod: '345600',
        QueueArn: s.arn,
        ReceiveMessageWaitTimeSeconds: '0',
        VisibilityTimeout: String(s.visibilityTimeoutSeconds),
        ...(s.redrive
          ? {
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: sqs.settings(s.redrive.deadLetterQueue).arn,
                maxReceiveCount: s.redrive.maxReceiveCount,
              }),
            }
          : {}),
      };
      const out = wanted.includes('All')
        ? all
        : Object.fromEntries(wanted.filter((a) => a in all).map((a) => [a, all[a]!]));
      return ok(Object.keys(out).length > 0 ? { Attributes: out } : {});
    }
    case 'SendMessage': {
      const name = queueOf();
      const body = str(input.MessageBody, 'MessageBody')!;
      const raw = (input.MessageAttributes ?? {}) as Record<string, Record<string, unknown>>;
      const attributes: Record<string, SqsAttributeValue> = {};
      for (const [key, v] of Object.entries(raw)) {
        attributes[key] = {
          DataType: str(v?.DataType, `MessageAttribute.${key}.DataType`)!,
          ...(typeof v?.StringValue === 'string' ? { StringValue: v.StringValue } : {}),
          ...(typeof v?.BinaryValue === 'string' ? { BinaryValue: v.BinaryValue } : {}),
        };
      }
      const sent = sqs.sendMessage(name, body, {
        delaySeconds: int(input.DelaySeconds, 'DelaySeconds'),
        attributes,
      });
      return ok({
        MessageId: sent.messageId,
        MD5OfMessageBody: sent.md5OfBody,
        ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
      });
    }
    case 'ReceiveMessage': {
      const name = queueOf();
      const max = int(input.MaxNumberOfMessages, 'MaxNumberOfMessages') ?? 1;
      const wait = int(input.WaitTimeSeconds, 'WaitTimeSeconds');
      if (wait !== undefined && (wait < 0 || wait > 20)) {
        throw new ApiError(
          'InvalidParameterValue',
          `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
        );
      }
      const system = [...names(input.AttributeNames), ...names(input.MessageSystemAttributeNames)];
      const wantSystem = (a: string) => system.includes('All') || system.includes(a);
      const userNames = names(input.MessageAttributeNames);
      const wantUser = (a: string) =>
        userNames.some(
          (n) => n === 'All' || n === '.*' || n === a || (n.endsWith('.*') && a.startsWith(n.slice(0, -1))),
        );
      const records = sqs.receive(name, max, int(input.VisibilityTimeout, 'VisibilityTimeout'));
      const messages = records.map((r) => {
        const attributes = Object.fromEntries(
          SYSTEM_ATTRIBUTES.filter((a) => wantSystem(a) && r.attributes[a] !== undefined).map((a) => [
            a,
            r.attributes[a]!,
          ]),
        );
        const user: Record<string, SqsAttributeValue> = {};
        for (const [key, v] of Object.entries(r.messageAttributes)) {
          if (!wantUser(key)) continue;
          user[key] = {
            DataType: v.dataType,
            ...(v.stringValue !== undefined ? { StringValue: v.stringValue } : {}),
            ...(v.binaryValue !== undefined ? { BinaryValue: v.binaryValue } : {}),
          };
        }
        return {
          MessageId: r.messageId,
          ReceiptHandle: r.receiptHandle,
          MD5OfBody: r.md5OfBody,
          Body: r.body,
          ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
          ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}),
          ...(Object.keys(user).length > 0 ? { MessageAttributes: user } : {}),
        };
      });
      return ok(messages.length > 0 ? { Messages: messages } : {});
    }
    case 'DeleteMessage': {
      sqs.delete(queueOf(), str(input.ReceiptHandle, 'ReceiptHandle')!);
      return ok({});
    }
    case 'ChangeMessageVisibility': {
      const name = queueOf();
      const handle = str(input.ReceiptHandle, 'ReceiptHandle')!;
      const seconds = int(input.VisibilityTimeout, 'VisibilityTimeout');
      if (seconds === undefined) {
        throw new ApiError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
      }
      sqs.changeVisibility(name, handle, seconds);
      return ok({});
    }
    case 'ListDeadLetterSourceQueues': {
      const sources = sqs.deadLetterSources(queueOf());
      return ok({ queueUrls: sources.map(urlOf) });
    }
    case 'StartMessageMoveTask': {
      const source = str(input.SourceArn, 'SourceArn')!;
      const destination = str(input.DestinationArn, 'DestinationArn', false);
      if (
        !/^arn:aws:sqs:/.test(source) ||
        (destination !== undefined && !/^arn:aws:sqs:/.test(destination))
      ) {
        throw new ApiError('InvalidParameterValue', 'SourceArn and DestinationArn must be SQS queue ARNs.');
      }
      const task = sqs.startMoveTask(
        source,
        destination,
        int(input.MaxNumberOfMessagesPerSecond, 'MaxNumberOfMessagesPerSecond'),
      );
      return ok({ TaskHandle: task.handle });
    }
    case 'ListMessageMoveTasks': {
      const source = str(input.SourceArn, 'SourceArn')!;
      const max = int(input.MaxResults, 'MaxResults') ?? 1;
      if (max < 1 || max > 10) {
        throw new ApiError(
          'InvalidParameterValue',
          'Value for parameter MaxResults is invalid. Reason: must be between 1 and 10.',
        );
      }
      const results = sqs
        .listMoveTasks(source)
        .slice(0, max)
        .map((t) => ({
          ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
          MaxNumberOfMessagesPerSecond: t.maxPerSecond,
          ApproximateNumberOfMessagesMoved: t.moved,
          ApproximateNumberOfMessagesToMove: t.toMove,
          ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
          StartedTimestamp: t.startedAt,
        }));
      return ok({ Results: results });
    }
    default:
      throw new ApiError('UnsupportedOperation', `The sandbox does not simulate SQS ${operation}`);
  }
}
