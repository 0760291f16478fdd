import { eventTime } from './app-runner/events.ts';
import type { SimService } from './app-runner/model.ts';
import type { SimClock } from './clock.ts';
import type { BusEvent } from './eventbridge.ts';
import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';
import type { ImageRegistry } from './images.ts';
import type { ALARM_STATE_VALUES } from './scenario-fields.ts';

/** The `detail-type` of CloudWatch's alarm events. */
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

export type AlarmState = (typeof ALARM_STATE_VALUES)[number];

/** How long after a service starts serving an image its metric alarms reach a verdict (2 of 3 one-minute datapoints). */
export const ALARM_VERDICT_MS = 3 * 60_000;
/** How long after its creation an alarm first evaluates. */
export const ALARM_FIRST_EVALUATION_MS = 2 * 60_000;

/** One alarm of the stand-in. */
export interface SimAlarm {
  name: string;
  arn: string;
  state: AlarmState;
  reason: string;
  /** Simulated epoch ms of the last state change. */
  updatedAt: number;
  tags: Map<string, string>;
  description?: string;
  /** The alarm's metrics as PutMetricAlarm gave them (AWS JSON shape). */
  metrics: Array<Record<string, unknown>>;
  /** The App Runner service its metrics' `ServiceID` dimension names, if any. */
  serviceId?: string;
  threshold?: number;
}

/** What the stand-in needs from the scenario run. */
export interface CloudWatchDeps {
  clock: SimClock;
  account: string;
  region: string;
  registry: ImageRegistry;
  /** The service of an id, as the App Runner simulator has it now. */
  serviceOfId(id: string): SimService | undefined;
  /** Puts an event on the bus (through the deployed rules). */
  emit(event: BusEvent): void;
  nextId(): string;
  note(text: string): void;
}

/** CloudWatch writes its state timestamps as `2026-11-20T14:12:40.989+0000`. */
const cloudWatchTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
const epochSeconds = (ms: number) => ms / 1000;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): Array<Record<string, unknown>> =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];

/** The `ServiceID` dimension of any of the alarm's metrics. */
function serviceIdOf(metrics: Array<Record<string, unknown>>): string | undefined {
  for (const m of metrics) {
    const metric = (m.MetricStat as { Metric?: { Dimensions?: unknown } } | undefined)?.Metric;
    for (const d of list(metric?.Dimensions))
      if (d.Name === 'ServiceID' && typeof d.Value === 'string') return d.Value;
  }
  return undefined;
}

/** The metrics of an alarm event's `configuration`, in the event's (camelCase) shape. */
function eventMetrics(metrics: Array<Record<string, unknown>>) {
  return metrics.map((m) => {
    const stat = m.MetricStat as
      | {
          Metric?: { Namespace?: string; MetricName?: string; Dimensions?: unknown };
          Period?: number;
          Stat?: string;
        }
      | undefined;
    return {
      id: m.Id,
      ...(m.Expression ? { expression: m.Expression } : {}),
      ...(m.Label ? { label: m.Label } : {}),
      ...(stat
        ? {
            metricStat: {
              metric: {
                namespace: stat.Metric?.Namespace,
                name: stat.Metric?.MetricName,
                dimensions: Object.fromEntries(list(stat.Metric?.Dimensions).map((d) => [d.Name, d.Value])),
              },
              period: stat.Period,
              stat: stat.Stat,
            },
          }
        : {}),
      returnData: m.ReturnData !== false,
    };
  });
}

/**
 * CloudWatch stand-in (AWS JSON 1.0, `GraniteServiceVersion20100801.<Operation>`): `PutMetricAlarm`,
 * `DescribeAlarms` (by names or by name prefix), `DeleteAlarms`, `TagResource`, `ListTagsForResource`. Every state change emits
 * `CloudWatch Alarm State Change` in the documented shape through the bus. An alarm on an App
 * Runner service's metrics (a `ServiceID` dimension) judges what the service serves: a `faulty`
 * image drives it to ALARM a few simulated minutes after it starts serving, anything else back
 * to OK.
 */
export class CloudWatchStandIn {
  private readonly alarms = new Map<string, SimAlarm>();

  constructor(private readonly deps: CloudWatchDeps) {}

  private arnOf(name: string) {
    return `arn:aws:cloudwatch:${this.deps.region}:${this.deps.account}:alarm:${name}`;
  }

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    const input = parseJsonBody(req);
    switch (operation) {
      case 'PutMetricAlarm':
        this.putMetricAlarm(input);
        return jsonResponse({});
      case 'DescribeAlarms':
        return jsonResponse(this.describeAlarms(input));
      case 'DeleteAlarms':
        for (const name of Array.isArray(input.AlarmNames) ? input.AlarmNames : [])
          this.alarms.delete(String(name));
        return jsonResponse({});
      case 'TagResource': {
        const alarm = this.byArn(str(input.ResourceARN));
        for (const t of list(input.Tags)) alarm.tags.set(String(t.Key), String(t.Value ?? ''));
        return jsonResponse({});
      }
      case 'ListTagsForResource': {
        const alarm = this.byArn(str(input.ResourceARN));
        return jsonResponse({ Tags: [...alarm.tags].map(([Key, Value]) => ({ Key, Value })) });
      }
      default:
        throw new ApiError('InvalidAction', `The sandbox does not simulate CloudWatch ${operation}`);
    }
  }

  private byArn(arn: string | undefined): SimAlarm {
    const alarm = [...this.alarms.values()].find((a) => a.arn === arn);
    if (!alarm)
      throw new ApiError('ResourceNotFoundException', `Alarm ${arn ?? '(none)'} does not exist`, 404);
    return alarm;
  }

  private putMetricAlarm(input: Record<string, unknown>) {
    const name = str(input.AlarmName);
    if (!name || name.length > 255)
      throw new ApiError('ValidationError', 'AlarmName must be 1-255 characters');
    const metrics = list(input.Metrics);
    const existing = this.alarms.get(name);
    const alarm: SimAlarm = existing ?? {
      name,
      arn: this.arnOf(name),
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      updatedAt: this.deps.clock.now,
      // Tags given to PutMetricAlarm apply only when it creates the alarm.
      tags: new Map(list(input.Tags).map((t) => [String(t.Key), String(t.Value ?? '')])),
      metrics,
    };
    alarm.metrics = metrics;
    const description = str(input.AlarmDescription);
    if (description) alarm.description = description;
    if (typeof input.Threshold === 'number') alarm.threshold = input.Threshold;
    const serviceId = serviceIdOf(metrics);
    if (serviceId) alarm.serviceId = serviceId;
    this.alarms.set(name, alarm);
    if (!existing && serviceId) this.evaluateLater(name, ALARM_FIRST_EVALUATION_MS);
  }

  private describeAlarms(input: Record<string, unknown>) {
    const names = Array.isArray(input.AlarmNames) ? input.AlarmNames.map(String) : undefined;
    const prefix = str(input.AlarmNamePrefix);
    if (names && prefix !== undefined)
      throw new ApiError('ValidationError', 'AlarmNames and AlarmNamePrefix cannot be used together');
    const found = [...this.alarms.values()].filter(
      (a) => (!names || names.includes(a.name)) && (prefix === undefined || a.name.startsWith(prefix)),
    );
    return {
      MetricAlarms: found.map((a) => ({
        AlarmName: a.name,
        AlarmArn: a.arn,
        ...(a.description ? { AlarmDescription: a.description } : {}),
        StateValue: a.state,
        StateReason: a.reason,
        StateUpdatedTimestamp: epochSeconds(a.updatedAt),
        ...(a.metrics.length > 0 ? { Metrics: a.metrics } : {}),
        ...(a.threshold !== undefined ? { Threshold: a.threshold } : {}),
      })),
      CompositeAlarms: [],
    };
  }

  /** A scenario's `alarms:` entry: an alarm that exists before the scenario starts (no event). */
  seed(name: string, state: AlarmState, at: number) {
    this.alarms.set(name, {
      name,
      arn: this.arnOf(name),
      state,
      reason: `Set by the scenario: ${state}`,
      updatedAt: at,
      tags: new Map(),
      metrics: [],
    });
  }

  /**
   * Changes an alarm's state (an `alarm` step, or a verdict on what a service serves) and emits
   * the state change event. An unchanged state emits nothing, as CloudWatch.
   */
  setState(name: string, state: AlarmState, reason: string): boolean {
    const alarm = this.alarms.get(name);
    if (!alarm) throw new Error(`no alarm named "${name}"`);
    if (alarm.state === state) return false;
    const now = this.deps.clock.now;
    const previous = { reason: alarm.reason, timestamp: cloudWatchTime(alarm.updatedAt), value: alarm.state };
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAt = now;
    this.deps.emit({
      version: '0',
      id: this.deps.nextId(),
      'detail-type': ALARM_STATE_CHANGE,
      source: 'aws.cloudwatch',
      account: this.deps.account,
      time: eventTime(now),
      region: this.deps.region,
      resources: [alarm.arn],
      detail: {
        alarmName: alarm.name,
        configuration: {
          ...(alarm.description ? { description: alarm.description } : {}),
          metrics: eventMetrics(alarm.metrics),
        },
        previousState: previous,
        state: { reason, timestamp: cloudWatchTime(now), value: state },
      },
    });
    return true;
  }

  /** App Runner started serving `digest` on a service: its alarms judge it a few minutes later. */
  onServing(service: SimService) {
    for (const alarm of this.alarms.values()) {
      if (alarm.serviceId === service.id) this.evaluateLater(alarm.name, ALARM_VERDICT_MS);
    }
  }

  private evaluateLater(name: string, afterMs: number) {
    this.deps.clock.schedule(this.deps.clock.now + afterMs, `cloudwatch ${name}`, () => this.evaluate(name));
  }

  /** The verdict on what the alarm's service serves now: ALARM for a faulty image, else OK. */
  private evaluate(name: string) {
    const alarm = this.alarms.get(name);
    if (!alarm?.serviceId) return;
    const service = this.deps.serviceOfId(alarm.serviceId);
    if (!service || service.status === 'DELETED' || !service.running) return;
    const faulty = this.deps.registry.byDigest(service.running)?.faulty === true;
    const threshold = alarm.threshold ?? 5;
    const changed = faulty
      ? this.setState(
          name,
          'ALARM',
          `Threshold Crossed: 2 out of the last 3 datapoints [38.2, 41.7] were greater than the threshold (${threshold}) (minimum 2 datapoints for OK -> ALARM transition).`,
        )
      : this.setState(
          name,
          'OK',
          `Threshold Crossed: 2 out of the last 3 datapoints [0.0, 0.1] were not greater than the threshold (${threshold}) (minimum 2 datapoints for ALARM -> OK transition).`,
        );
    if (changed) this.deps.note(`CloudWatch: ${name} → ${alarm.state}`);
  }

  /** Whether an alarm of that name exists here. */
  has(name: string): boolean {
    return this.alarms.has(name);
  }

  /** The alarms now (the report). */
  list(): Array<{ name: string; state: AlarmState; tags: Record<string, string> }> {
    return [...this.alarms.values()].map((a) => ({
      name: a.name,
      state: a.state,
      tags: Object.fromEntries(a.tags),
    }));
  }
}

/** One account × region. */
interface Where {
  account: string;
  region: string;
}

/**
 * CloudWatch in every target of a scenario: one stand-in per account × region (a bake's alarms
 * live beside their service), each signed request answered by its caller's (the access key names
 * the account, the SigV4 scope the region), as App Runner's simulators are (`fleets.ts`).
 */
export class CloudWatchTargets {
  private readonly standIns = new Map<string, CloudWatchStandIn>();

  constructor(
    readonly hub: Where,
    private readonly make: (where: Where) => CloudWatchStandIn,
    private readonly callerOf: (req: HttpRequest) => Where,
  ) {
    this.at(hub);
  }

  /** The stand-in of `where`, created on first use. */
  at(where: Where): CloudWatchStandIn {
    const key = `${where.account}/${where.region}`;
    let standIn = this.standIns.get(key);
    if (!standIn) {
      standIn = this.make(where);
      this.standIns.set(key, standIn);
    }
    return standIn;
  }

  /** A CloudWatch request, answered in its caller's account and region. */
  dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    return this.at(this.callerOf(req)).dispatch(operation, req);
  }

  /** A scenario's `alarms:` entry (the hub's). */
  seed(name: string, state: AlarmState, at: number) {
    this.at(this.hub).seed(name, state, at);
  }

  /** An `alarm` step: the alarm of that name, the hub's first. */
  setState(name: string, state: AlarmState, reason: string): boolean {
    for (const standIn of this.standIns.values()) {
      if (standIn.has(name)) return standIn.setState(name, state, reason);
    }
    throw new Error(`no alarm named "${name}"`);
  }

  /** The alarms now, in every target (the report); a spoke's name their account and region. */
  list(): Array<{
    name: string;
    state: AlarmState;
    tags: Record<string, string>;
    account?: string;
    region?: string;
  }> {
    return [...this.standIns.entries()].flatMap(([key, standIn]) => {
      const [account, region] = key.split('/') as [string, string];
      const spoke = account !== this.hub.account || region !== this.hub.region;
      return standIn.list().map((a) => (spoke ? { ...a, account, region } : a));
    });
  }
}
