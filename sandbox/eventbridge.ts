import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * EventBridge stand-in (AWS JSON 1.1, `AWSEvents.PutEvents`): validates entries as PutEvents does
 * (1–10 entries, JSON-object detail, known bus) and puts each accepted one on the local bus.
 */
export class EventBridgeStandIn {
  constructor(
    private readonly buses: ReadonlySet<string>,
    private readonly where: { account: string; region: string },
    private readonly now: () => number,
    private readonly nextId: () => string,
    private readonly put: (event: BusEvent) => void,
  ) {}

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    if (operation !== 'PutEvents')
      throw new ApiError('ValidationException', `The sandbox does not simulate EventBridge ${operation}`);
    const input = parseJsonBody(req);
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new ApiError(
        'ValidationException',
        '1 validation error detected: Entries must have between 1 and 10 members',
      );
    }
    const { account, region } = this.where;
    const out: Array<Record<string, string>> = [];
    const accepted: BusEvent[] = [];
    for (const raw of entries as Array<Record<string, unknown>>) {
      const bus =
        typeof raw.EventBusName === 'string'
          ? raw.EventBusName.replace(/^arn:.*:event-bus\//, '')
          : 'default';
      if (!this.buses.has(bus))
        throw new ApiError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
      if (typeof raw.Source !== 'string' || raw.Source === '') {
        out.push({
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
        });
        continue;
      }
      if (typeof raw.DetailType !== 'string' || raw.DetailType === '') {
        out.push({
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
        });
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(typeof raw.Detail === 'string' ? raw.Detail : '');
      } catch {}
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
        out.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
        continue;
      }
      const size = Buffer.byteLength(JSON.stringify(raw), 'utf8');
      if (size > 256 * 1024) {
        out.push({ ErrorCode: 'EntrySizeLimitExceeded', ErrorMessage: 'Entry size exceeds 256 KB.' });
        continue;
      }
      const id = this.nextId();
      const time = typeof raw.Time === 'number' ? raw.Time * 1000 : this.now();
      accepted.push({
        version: '0',
        id,
        'detail-type': raw.DetailType,
        source: raw.Source,
        account,
        time: `${new Date(time).toISOString().slice(0, 19)}Z`,
        region,
        resources: Array.isArray(raw.Resources) ? raw.Resources.map(String) : [],
        detail: detail as Record<string, unknown>,
      });
      out.push({ EventId: id });
    }
    for (const e of accepted) this.put(e);
    return jsonResponse({ FailedEntryCount: out.filter((e) => e.ErrorCode).length, Entries: out }, '1.1');
  }
}
