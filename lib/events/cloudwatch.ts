import { InvalidEventError } from '../core/errors.ts';
import type { Parsed } from '../core/handler-stack.ts';
import { ALARM_STATES, type AlarmState } from '../core/ports/alarms.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { normalizeText } from '../core/text.ts';
import { parseEnvelope, isRecord as record, requiredString } from './envelope.ts';

/** `source` and `detail-type` of CloudWatch's alarm events (CloudWatch user guide, "Alarm events and EventBridge"). */
export const CLOUDWATCH_SOURCE = 'aws.cloudwatch';
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

/** CloudWatch's state reason is free text: long ones are cut, never a reason to lose the event. */
const REASON_CHARS = 1000;

/** An alarm's state change, as the bake window reads it. */
export interface AlarmStateChangeEvent {
  kind: 'alarm';
  eventId: string;
  /** The event's time. */
  time: string;
  account: string;
  region: string;
  alarmName: string;
  alarmArn: string;
  state: AlarmState;
  /** When the alarm entered this state (CloudWatch's `state.timestamp`, ISO-8601). */
  stateChangedAt: string;
  reason: string;
  previousState?: AlarmState;
}

/**
 * Validates a `CloudWatch Alarm State Change` event. Strict on identity: source, detail-type, the
 * account and region (one of the guard's targets), the alarm's name (1–255 characters) and its ARN in
 * `resources` (same account, region and name), the state's value; tolerant on text: the state's
 * reason is normalised and cut. CloudWatch writes `state.timestamp` as `…+0000`; it is read as a
 * time and given back in ISO-8601.
 *
 * @throws InvalidEventError (terminal) naming the offending field.
 */
export function parseAlarmStateChange(
  raw: unknown,
  options: { targets: TargetCheck },
): AlarmStateChangeEvent {
  const envelope = parseEnvelope(raw, {
    source: CLOUDWATCH_SOURCE,
    detailType: ALARM_STATE_CHANGE,
    targets: options.targets,
  });
  const { id: eventId, account, region, detail: d } = envelope;
  const eventTime = new Date(Date.parse(envelope.time)).toISOString();
  const str = requiredString;
  const time = (field: string, v: unknown) => {
    const t = Date.parse(str(field, v));
    if (Number.isNaN(t)) throw new InvalidEventError(field, 'is not a time');
    return new Date(t).toISOString();
  };
  const alarmName = str('detail.alarmName', d.alarmName);
  if (alarmName.length > 255)
    throw new InvalidEventError('detail.alarmName', 'is longer than 255 characters');
  const resources = (raw as { resources?: unknown }).resources;
  if (!Array.isArray(resources) || resources.length !== 1 || typeof resources[0] !== 'string') {
    throw new InvalidEventError('resources', 'must name the alarm ARN');
  }
  const alarmArn = resources[0];
  const arn = /^arn:aws[\w-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/.exec(alarmArn);
  if (!arn) throw new InvalidEventError('resources', 'is not a CloudWatch alarm ARN');
  if (arn[1] !== region || arn[2] !== account || arn[3] !== alarmName) {
    throw new InvalidEventError('resources', 'names another alarm, account or region than the event');
  }
  if (!record(d.state)) throw new InvalidEventError('detail.state', 'is not a JSON object');
  const value = str('detail.state.value', d.state.value);
  if (!(ALARM_STATES as readonly string[]).includes(value)) {
    throw new InvalidEventError('detail.state.value', `must be one of ${ALARM_STATES.join(', ')}`);
  }
  const previous = record(d.previousState) ? d.previousState.value : undefined;
  return {
    kind: 'alarm',
    eventId,
    time: eventTime,
    account,
    region,
    alarmName,
    alarmArn,
    state: value as AlarmState,
    stateChangedAt:
      d.state.timestamp === undefined ? eventTime : time('detail.state.timestamp', d.state.timestamp),
    reason:
      normalizeText(typeof d.state.reason === 'string' ? d.state.reason.trim() : '', REASON_CHARS) ||
      '(no reason given)',
    ...(typeof previous === 'string' && (ALARM_STATES as readonly string[]).includes(previous)
      ? { previousState: previous as AlarmState }
      : {}),
  };
}

/** True when the raw event is CloudWatch's (so a job hearing several sources can dispatch on it). */
export function isCloudWatchEvent(raw: unknown): boolean {
  return record(raw) && raw.source === CLOUDWATCH_SOURCE;
}

/** Parser for alarm state changes: idempotency key = EventBridge event `id`. */
export function alarmStateChangeTrigger(targets: TargetCheck) {
  return (raw: unknown): Parsed<AlarmStateChangeEvent> => {
    const event = parseAlarmStateChange(raw, { targets });
    return { key: event.eventId, input: event, logKeys: { alarmName: event.alarmName, state: event.state } };
  };
}
