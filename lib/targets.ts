/**
 * The accounts and regions one guard watches (its targets), from the `guardTargets` setting.
 *
 * Syntax: entries separated by `;` (or new lines), each `<account or OU>:<region>,<region>...`:
 *
 * ```
 * 123456789012:eu-west-1,us-east-1; 210987654321:eu-west-1; ou-ab12-cdefgh34:eu-west-1
 * ```
 *
 * An account is a 12-digit id; an organisational unit (`ou-…`) stands for every account in it, found
 * later through AWS Organizations. The hub (the account and region the guard is deployed in) is always
 * a target, whether it is listed or not: an empty or unset setting means "the hub only", which is what
 * a guard without targets has always watched.
 *
 * Pure: no AWS calls, no `lib/core`. Parsing is strict because these are identities the guard acts on:
 * every problem names the entry it is in, and a setting with any problem is rejected whole.
 *
 * @module
 */

/** One account × region the guard watches. */
export interface Target {
  account: string;
  region: string;
}

/** One parsed entry of the setting: an account or an organisational unit, and its regions. */
export type TargetEntry =
  | { kind: 'account'; account: string; regions: string[] }
  | { kind: 'organizational-unit'; organizationalUnit: string; regions: string[] };

/** The setting, parsed: the entries as written (the hub is added by {@link createTargets}). */
export interface TargetsSetting {
  entries: TargetEntry[];
}

/** The resolved targets: answers "is this one of ours" and lists them all. */
export interface Targets {
  /** The hub: the guard's own account and region. */
  readonly hub: Target;
  /** Whether the guard watches and acts in `account` × `region`. */
  isTarget(account: string, region: string): boolean;
  /** Every target, the hub first, then in the order written; each account × region once. */
  listTargets(): Target[];
}

/** A problem in the targets setting; the message names the entry. */
export class TargetsError extends Error {
  override readonly name = 'TargetsError';
}

const ACCOUNT = /^\d{12}$/;
// ou-<root part, 4-32>-<8-32>, lower-case letters and digits (Organizations' OU id syntax).
const ORGANIZATIONAL_UNIT = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
// us-east-1, eu-central-2, us-gov-west-1, us-isob-east-1, ap-southeast-5, cn-north-1.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Whether `region` has the syntax of an AWS region name (it may still not exist). */
export function isRegionName(region: string): boolean {
  return REGION.test(region);
}

/** Whether `account` is a 12-digit AWS account id. */
export function isAccountId(account: string): boolean {
  return ACCOUNT.test(account);
}

/**
 * Parses the `guardTargets` setting. Empty or unset: no entries (the hub only). Throws
 * {@link TargetsError} naming the entry on a malformed account, OU or region, an entry without
 * regions, a region listed twice in one entry, or an account or OU listed in two entries.
 */
export function parseTargets(text: string | undefined): TargetsSetting {
  const raw = (text ?? '')
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const entries: TargetEntry[] = [];
  const seen = new Map<string, number>();
  raw.forEach((entry, index) => {
    const where = `entry ${index + 1} ("${entry}")`;
    const colon = entry.indexOf(':');
    if (colon < 0)
      throw new TargetsError(
        `${where} must be <account or OU>:<region>[,<region>...], e.g. 123456789012:eu-west-1`,
      );
    const who = entry.slice(0, colon).trim();
    const regions = entry
      .slice(colon + 1)
      .split(',')
      .map((r) => r.trim());
    if (regions.length === 1 && regions[0] === '') throw new TargetsError(`${where} lists no region`);
    for (const region of regions) {
      if (!REGION.test(region))
        throw new TargetsError(`${where}: "${region}" is not a region name (e.g. eu-west-1)`);
    }
    const repeated = regions.find((r, i) => regions.indexOf(r) !== i);
    if (repeated !== undefined) throw new TargetsError(`${where} lists region ${repeated} twice`);
    const before = seen.get(who);
    if (before !== undefined)
      throw new TargetsError(`${where} repeats ${who}, already listed in entry ${before + 1}`);
    seen.set(who, index);
    if (ACCOUNT.test(who)) entries.push({ kind: 'account', account: who, regions });
    else if (ORGANIZATIONAL_UNIT.test(who))
      entries.push({ kind: 'organizational-unit', organizationalUnit: who, regions });
    else
      throw new TargetsError(
        `${where}: "${who}" is neither a 12-digit account id nor an organisational unit id (ou-xxxx-xxxxxxxx)`,
      );
  });
  return { entries };
}

/** The accounts the setting names directly (not through an OU), in order. */
export function listedAccounts(setting: TargetsSetting): string[] {
  return setting.entries.flatMap((e) => (e.kind === 'account' ? [e.account] : []));
}

/**
 * Builds the targets from the parsed setting and the hub, which is always included. An OU entry
 * needs its accounts in `organizationalUnits` (resolved through Organizations by the caller);
 * an OU left unresolved throws {@link TargetsError} rather than silently watching fewer accounts.
 */
export function createTargets(
  setting: TargetsSetting,
  hub: Target,
  organizationalUnits: Readonly<Record<string, readonly string[]>> = {},
): Targets {
  if (!ACCOUNT.test(hub.account))
    throw new TargetsError(`the hub account "${hub.account}" is not a 12-digit account id`);
  if (!REGION.test(hub.region)) throw new TargetsError(`the hub region "${hub.region}" is not a region name`);
  const all: Target[] = [{ account: hub.account, region: hub.region }];
  const keys = new Set([`${hub.account}:${hub.region}`]);
  const add = (account: string, region: string) => {
    const key = `${account}:${region}`;
    if (keys.has(key)) return;
    keys.add(key);
    all.push({ account, region });
  };
  for (const entry of setting.entries) {
    if (entry.kind === 'account') {
      for (const region of entry.regions) add(entry.account, region);
      continue;
    }
    const accounts = organizationalUnits[entry.organizationalUnit];
    if (accounts === undefined)
      throw new TargetsError(
        `organisational unit ${entry.organizationalUnit} has not been resolved to accounts`,
      );
    for (const account of accounts) {
      if (!ACCOUNT.test(account))
        throw new TargetsError(
          `organisational unit ${entry.organizationalUnit} resolved to "${account}", not a 12-digit account id`,
        );
      for (const region of entry.regions) add(account, region);
    }
  }
  const frozen = Object.freeze(all.map((t) => Object.freeze({ ...t })));
  return {
    hub: frozen[0]!,
    isTarget: (account, region) => keys.has(`${account}:${region}`),
    listTargets: () => frozen.map((t) => ({ ...t })),
  };
}

/** Whether the setting names an organisational unit (its accounts must be found through Organizations). */
export function hasOrganizationalUnits(setting: TargetsSetting): boolean {
  return setting.entries.some((e) => e.kind === 'organizational-unit');
}

/** Targets whose organisational units are resolved on demand and kept fresh. */
export interface LiveTargets extends Targets {
  /**
   * Resolves the organisational units when they never were, or longer ago than the maximum age:
   * one resolution at a time, shared by concurrent callers. Without units it does nothing. A failed
   * resolution throws the resolver's error and keeps what was resolved before; the next call
   * tries again. {@link Targets.isTarget} and {@link Targets.listTargets} answer from the last
   * resolution; before the first one (with units) they throw, since answering from the listed
   * accounts alone would silently watch fewer than configured.
   */
  refresh(): Promise<void>;
}

/** How long the accounts of an organisational unit are kept before they are read again. */
export const ORGANIZATIONAL_UNIT_MAX_AGE_MS = 15 * 60_000;

/**
 * Builds the targets from the setting and the hub, with the organisational units resolved by
 * `resolveUnit` (every active account in the unit and the units below it): lazily, at the first
 * {@link LiveTargets.refresh}, and again once `maxAgeMs` has passed, so an account added to the
 * unit is watched without a redeploy. An account listed directly and found through a unit is one
 * target.
 */
export function createLiveTargets(
  setting: TargetsSetting,
  hub: Target,
  options: {
    resolveUnit(organizationalUnit: string): Promise<readonly string[]>;
    maxAgeMs?: number;
    now?: () => number;
  },
): LiveTargets {
  const units = setting.entries.flatMap((e) =>
    e.kind === 'organizational-unit' ? [e.organizationalUnit] : [],
  );
  if (units.length === 0) {
    const fixed = createTargets(setting, hub);
    return { ...fixed, refresh: async () => {} };
  }
  // Fails at start on a malformed hub, as the fixed targets do.
  const hubOnly = createTargets({ entries: [] }, hub);
  const maxAgeMs = options.maxAgeMs ?? ORGANIZATIONAL_UNIT_MAX_AGE_MS;
  // Date.now read at each call, not kept: the sandbox shows handlers its simulated clock through it.
  const now = options.now ?? (() => Date.now());
  let current: Targets | undefined;
  let resolvedAt = 0;
  let pending: Promise<void> | undefined;
  const resolved = (): Targets => {
    if (current) return current;
    throw new TargetsError(
      `organisational units ${units.join(', ')} have not been resolved to accounts yet (refresh the targets first)`,
    );
  };
  const resolve = async () => {
    const accounts = await Promise.all(units.map((unit) => options.resolveUnit(unit)));
    const byUnit = Object.fromEntries(units.map((unit, i) => [unit, accounts[i]!]));
    current = createTargets(setting, hub, byUnit);
    resolvedAt = now();
  };
  return {
    hub: hubOnly.hub,
    isTarget: (account, region) => resolved().isTarget(account, region),
    listTargets: () => resolved().listTargets(),
    refresh() {
      if (current && now() - resolvedAt < maxAgeMs) return Promise.resolve();
      if (!pending) {
        pending = resolve().finally(() => {
          pending = undefined;
        });
      }
      return pending;
    },
  };
}
