/**
 * The guard's service tags (docs/architecture.md, "Data"): one prefix, one place. App Runner allows tagging even
 * paused services, so these work in every status but DELETED.
 */
export const TAG_PREFIX = 'apprunner-guard:';

export const TAGS = {
  /** `off` opts the service out of rollback. */
  rollback: `${TAG_PREFIX}rollback`,
  /** `off` opts the service out of deletion by cleanup. */
  cleanup: `${TAG_PREFIX}cleanup`,
  /** `off`: a push to the tag the service followed does not release the guard's pin (fix forward). */
  fixForward: `${TAG_PREFIX}fix-forward`,
  /** Name of the schedule the service follows. */
  schedule: `${TAG_PREFIX}schedule`,
  /** ISO-8601 time; until then the schedule leaves the service alone. */
  overrideUntil: `${TAG_PREFIX}override-until`,
  /** Written by the guard when it pauses: `schedule/<name>@<ISO time>`. Only these are resumed. */
  pausedBy: `${TAG_PREFIX}paused-by`,
  /** Written by the guard: its last action on the service, for humans reading the console. */
  lastAction: `${TAG_PREFIX}last-action`,
  /** Minutes a release bakes (a candidate) before it is promoted to known-good; absent: no bake. */
  bakeMinutes: `${TAG_PREFIX}bake-minutes`,
  /** CloudWatch alarms (`name[,name…]`) watched during the bake; absent: the guard's default alarm. */
  alarms: `${TAG_PREFIX}alarms`,
  /** On a CloudWatch alarm: `apprunner-guard` marks the alarm as the guard's own (created and deleted by it). */
  owner: `${TAG_PREFIX}owner`,
  /** On the guard's own alarm: the ARN of the service it watches. */
  service: `${TAG_PREFIX}service`,
} as const;

/** The value of {@link TAGS.owner} on what the guard creates. */
export const OWNER_VALUE = 'apprunner-guard';

/** The longest bake the tag accepts: a day. */
export const MAX_BAKE_MINUTES = 24 * 60;

/**
 * Reads a bake-minutes tag: the minutes when it is a whole number from 1 to {@link MAX_BAKE_MINUTES},
 * `undefined` when absent or empty, `'invalid'` otherwise (the caller says so rather than guessing).
 */
export function parseBakeMinutes(value: string | undefined): number | 'invalid' | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (!/^\d{1,5}$/.test(text)) return 'invalid';
  const n = Number(text);
  return n >= 1 && n <= MAX_BAKE_MINUTES ? n : 'invalid';
}

/**
 * Reads an alarms tag: the alarm names, trimmed, empty entries and duplicates dropped. A CloudWatch
 * alarm name is at most 255 characters; a longer one is kept out and reported by the caller.
 */
export function parseAlarmNames(value: string | undefined): { names: string[]; invalid: string[] } {
  const names: string[] = [];
  const invalid: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '' || names.includes(name)) continue;
    if (name.length > 255) invalid.push(name);
    else names.push(name);
  }
  return { names, invalid };
}

export type Tags = Readonly<Record<string, string>>;

/** True when the tag is set to `off` (case-insensitive): the service opted out of that job. */
export function isOptedOut(
  tags: Tags,
  key: typeof TAGS.rollback | typeof TAGS.cleanup | typeof TAGS.fixForward,
): boolean {
  return tags[key]?.trim().toLowerCase() === 'off';
}

/** Converts App Runner's `[{Key, Value}]` tag list to a record. */
export function tagsToRecord(list: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Tags {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** Formats the paused-by marker value. */
export function formatPausedBy(schedule: string, at: Date): string {
  return `schedule/${schedule}@${at.toISOString()}`;
}

/** Reads the paused-by marker; `undefined` when absent or not written by the guard. */
export function parsePausedBy(value: string | undefined): { schedule: string; at: Date } | undefined {
  const m = value === undefined ? null : /^schedule\/([A-Za-z0-9_.-]{1,64})@(.+)$/.exec(value);
  if (!m) return undefined;
  const at = new Date(m[2]!);
  return Number.isNaN(at.getTime()) ? undefined : { schedule: m[1]!, at };
}

/**
 * Reads an override-until tag. Returns the time when it is valid, `undefined` when absent, and
 * `'invalid'` when set but unparseable (the caller reports it rather than guessing).
 */
export function parseOverrideUntil(value: string | undefined): Date | 'invalid' | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const at = new Date(value.trim());
  return Number.isNaN(at.getTime()) ? 'invalid' : at;
}
