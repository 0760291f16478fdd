import {
  ApiError,
  awsQueryProtocol,
  type HttpRequest,
  type HttpResponse,
  type Protocol,
  requestId,
} from './http.ts';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** SNS query protocol (`Action=<Operation>`, form-encoded, XML answers). */
export const snsProtocol: Protocol = awsQueryProtocol(XMLNS, (kind) => {
  if (kind === 'throttle') return new ApiError('Throttling', 'Rate exceeded', 400);
  if (kind === 'tooManyRequests') return new ApiError('Throttled', 'Rate exceeded', 429);
  return new ApiError('InternalError', 'An internal error occurred (injected by the sandbox).', 500);
});

/** One message published to a topic. */
export interface SnsMessage {
  time: string;
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  attributes: Record<string, string>;
}

/**
 * SNS stand-in: `Publish` to the guard's topics, validated as SNS does (topic exists, message
 * present and at most 256 KB, subject under 100 characters on one line, String/Number
 * attributes), recording every message.
 */
export class SnsStandIn {
  readonly messages: SnsMessage[] = [];

  constructor(
    private readonly topics: ReadonlySet<string>,
    private readonly now: () => number,
    private readonly nextId: () => string,
    private readonly observe: (message: SnsMessage) => void = () => {},
  ) {}

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    const form = new URLSearchParams(req.body);
    if (operation !== 'Publish')
      throw new ApiError('InvalidAction', `The sandbox does not simulate SNS ${operation}`);
    const topicArn = form.get('TopicArn') ?? form.get('TargetArn');
    if (!topicArn)
      throw new ApiError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value');
    if (!this.topics.has(topicArn)) throw new ApiError('NotFound', 'Topic does not exist', 404);
    const message = form.get('Message');
    if (!message) throw new ApiError('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(message, 'utf8') > 262_144) {
      throw new ApiError('InvalidParameter', 'Invalid parameter: Message too long');
    }
    const subject = form.get('Subject') ?? undefined;
    if (subject !== undefined) {
      if (subject.length === 0 || subject.length >= 100 || /[\r\n]/.test(subject)) {
        throw new ApiError('InvalidParameter', 'Invalid parameter: Subject');
      }
    }
    const attributes: Record<string, string> = {};
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
      const name = form.get(`MessageAttributes.entry.${i}.Name`)!;
      const type = form.get(`MessageAttributes.entry.${i}.Value.DataType`);
      const value = form.get(`MessageAttributes.entry.${i}.Value.StringValue`);
      if (!type || !/^(String|Number|Binary)(\..+)?$/.test(type)) {
        throw new ApiError(
          'ParameterValueInvalid',
          `The message attribute '${name}' has an invalid message attribute type`,
        );
      }
      if (!type.startsWith('Binary') && (value === null || value === '')) {
        throw new ApiError(
          'ParameterValueInvalid',
          `The message attribute '${name}' must contain non-empty message attribute value`,
        );
      }
      attributes[name] = value ?? '';
    }
    if (Object.keys(attributes).length > 10) {
      throw new ApiError('InvalidParameter', 'Number of message attributes exceeds the limit of 10');
    }
    const messageId = this.nextId();
    const record: SnsMessage = {
      time: new Date(this.now()).toISOString(),
      messageId,
      topicArn,
      ...(subject === undefined ? {} : { subject }),
      message,
      attributes,
    };
    this.messages.push(record);
    this.observe(record);
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }
}
