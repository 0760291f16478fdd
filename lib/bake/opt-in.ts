import { defaultAlarmName } from '../core/ports/alarms.ts';
import { parseAlarmNames, parseBakeMinutes, TAGS, type Tags } from '../tags.ts';

/** What a service's tags say about its bake window (docs/architecture.md, "Bake window"). */
export type BakeOptIn =
  | { kind: 'off' }
  /** A bake tag the guard cannot read: no bake, and the alert says which tag and why. */
  | { kind: 'invalid'; reason: string }
  | {
      kind: 'on';
      minutes: number;
      /** The alarms watched: the `alarms` tag's, else the guard's default alarm. */
      alarms: string[];
      /** The guard's default alarm, when no `alarms` tag names the alarms. */
      ownAlarm?: string;
    };

/**
 * Reads the bake opt-in from the service's tags: `apprunner-guard:bake-minutes=<n>` turns it on;
 * `apprunner-guard:alarms=<name>[,<name>…]` names the alarms, else the guard owns a default alarm
 * named after the service under `alarmPrefix`. Pure.
 */
export function readBakeOptIn(
  tags: Tags,
  service: { name: string; id: string },
  alarmPrefix: string,
): BakeOptIn {
  const minutes = parseBakeMinutes(tags[TAGS.bakeMinutes]);
  if (minutes === undefined) return { kind: 'off' };
  if (minutes === 'invalid') {
    return {
      kind: 'invalid',
      reason: `tag ${TAGS.bakeMinutes}="${tags[TAGS.bakeMinutes]}" is not a whole number of minutes from 1 to 1440`,
    };
  }
  const { names, invalid } = parseAlarmNames(tags[TAGS.alarms]);
  if (invalid.length > 0) {
    return {
      kind: 'invalid',
      reason: `tag ${TAGS.alarms} names an alarm longer than CloudWatch's 255 characters (${invalid[0]!.slice(0, 40)}…)`,
    };
  }
  if (names.length > 0) return { kind: 'on', minutes, alarms: names };
  const own = defaultAlarmName(alarmPrefix, service);
  return { kind: 'on', minutes, alarms: [own], ownAlarm: own };
}
