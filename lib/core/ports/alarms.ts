/**
 * CloudWatch alarms as the bake window sees them (docs/architecture.md, "Bake window"): read the
 * alarms a service's bake watches, and create or delete the guard's own default alarm.
 */
import type { Tags } from '../../tags.ts';
import type { Target } from './targets.ts';

/** CloudWatch's alarm states. */
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** One alarm, read live. */
export interface AlarmView {
  name: string;
  arn: string;
  state: AlarmState;
  /** CloudWatch's words for the state (free text). */
  stateReason?: string;
  /** When the alarm last changed state (ISO-8601). */
  stateUpdatedAt?: string;
}

/** The guard's default alarm of one service: App Runner's 5xx share of requests. */
export interface DefaultAlarmSpec {
  name: string;
  serviceArn: string;
  serviceName: string;
  serviceId: string;
  /** Percent of requests answered 5xx above which a minute breaches (2 of 3 minutes alarm). */
  thresholdPercent: number;
}

/** Port: the CloudWatch calls of the bake window (implemented in `lib/aws/cloudwatch.ts`). */
export interface AlarmsPort {
  /** The named alarms that exist (metric and composite), in any order; missing names are absent. */
  describeAlarms(names: readonly string[]): Promise<AlarmView[]>;
  /**
   * Creates or updates the guard's default alarm of a service, tagged as the guard's
   * (`apprunner-guard:owner`, `apprunner-guard:service`).
   */
  putDefaultAlarm(spec: DefaultAlarmSpec): Promise<void>;
  /** The alarm's tags (to check it is the guard's before deleting it). */
  listAlarmTags(alarmArn: string): Promise<Tags>;
  /** Deletes alarms; a missing one is not an error. */
  deleteAlarms(names: readonly string[]): Promise<void>;
  /**
   * The metric alarms whose names start with `prefix` (the guard's own are named under its
   * prefix), in any order: what the backstop pass compares with their services.
   */
  listAlarmsByPrefix(prefix: string): Promise<AlarmView[]>;
}

/**
 * CloudWatch alarms in the account and region a service is in (its ARN names them): a bake's
 * alarms watch the service's own metrics, so they live beside it, in a spoke or in the hub.
 */
export type AlarmsFor = (serviceArn: string) => AlarmsPort;

/** CloudWatch alarms in one of the guard's targets (the backstop pass goes through each). */
export type AlarmsIn = (target: Target) => AlarmsPort;

/**
 * The name of the guard's default alarm of a service: the deployment's alarm prefix (which its IAM
 * policy is scoped to), then the service's name and id (a service recreated under the same name is
 * another service, with another alarm).
 */
export function defaultAlarmName(prefix: string, service: { name: string; id: string }): string {
  return `${prefix}${service.name}-${service.id}`;
}
