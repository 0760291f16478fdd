/**
 * EventBridge event-pattern matching for the local sandbox.
 *
 * Semantics follow aws/event-ruler (the engine behind Amazon EventBridge), as exercised by the
 * conformance cases in `test/conformance/`:
 *
 * - A pattern is compiled into one or more "sub-rules" (one per combination of `$or` branches). Each
 *   sub-rule maps a dotted field path (`detail.state`) to the list of value matchers allowed there.
 * - An event is flattened into `(path, value)` fields. Arrays are transparent for paths; every field
 *   remembers which element of which array (only elements that are objects or arrays) it came from.
 * - A sub-rule matches when every path, taken in sorted order, is satisfied by a field that is
 *   "array consistent" with the fields already used: two fields coming from different elements of the
 *   same array never combine. `{"exists": false}` means "no consistent field with that path".
 * - Strings, numbers, booleans and null are distinct types: `"5"` never matches `5`.
 * - Numbers compare by value when both sides are "comparable" (between -5e9 and 5e9 with at most six
 *   decimal places, event-ruler's ComparableNumber); other numbers only match by their literal text.
 *
 * @module
 */

/** Thrown by {@link validatePattern} (and by the matching functions) for an invalid pattern. */
export class InvalidPatternError extends Error {
  /** Path of the offending part of the pattern, e.g. `detail.Status` or `detail.$or[1].status`. */
  readonly path: string;

  /**
   * @param path - path of the offending part of the pattern (`<root>` for the pattern itself)
   * @param detail - what is wrong with it
   */
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'InvalidPatternError';
    this.path = path;
  }
}

/** A compiled pattern: call it with an event to learn whether the pattern matches it. */
export type EventMatcher = (event: unknown) => boolean;

// ---------------------------------------------------------------------------------------------
// Event values
// ---------------------------------------------------------------------------------------------

/** One leaf value of a flattened event, with lazily computed numeric / IP forms. */
interface EventValue {
  readonly kind: 'string' | 'number' | 'literal';
  /** The string itself for strings; the JSON text for numbers, booleans and null. */
  readonly text: string;
  /** Comparable-number form (value x 1e6) for numbers; null if not comparable; undefined = not computed. */
  scaled?: number | null;
  /** IP address bytes for strings; null if not an IP literal; undefined = not computed. */
  ip?: Uint8Array | null;
}

type ValueTest = (value: EventValue) => boolean;

/** Array membership: pairs of (array id, element index) for every enclosing array element. */
type Membership = readonly (readonly [number, number])[];

interface Field {
  readonly value: EventValue;
  readonly membership: Membership;
}

function scaledOf(value: EventValue): number | null {
  if (value.scaled === undefined) {
    value.scaled = value.kind === 'number' ? toComparable(value.text) : null;
  }
  return value.scaled;
}

function ipOf(value: EventValue): Uint8Array | null {
  if (value.ip === undefined) {
    value.ip = value.kind === 'string' ? parseIp(value.text) : null;
  }
  return value.ip;
}

// ---------------------------------------------------------------------------------------------
// Comparable numbers (event-ruler ComparableNumber: |x| <= 5e9, at most 6 decimal places)
// ---------------------------------------------------------------------------------------------

const MAX_DECIMALS = 6;
const FIVE_BILLION_SCALED = 5_000_000_000_000_000n; // 5e9 * 1e6, below 2^53
const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Returns the number as an integer count of millionths, or null when event-ruler could not represent
 * it as a ComparableNumber (more than six decimal places, or outside -5e9..5e9).
 */
function toComparable(text: string): number | null {
  const m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const fraction = m[3] ?? '';
  let digits = (m[2] ?? '') + fraction;
  let exponent = Number(m[4] ?? '0') - fraction.length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return 0;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  if (exponent < -MAX_DECIMALS) return null;
  // Magnitude guard before building a BigInt: 5e15 has 16 digits.
  if (digits.length + exponent + MAX_DECIMALS > 16) return null;
  const scaled = BigInt(digits) * 10n ** BigInt(exponent + MAX_DECIMALS);
  if (scaled > FIVE_BILLION_SCALED) return null;
  return m[1] ? -Number(scaled) : Number(scaled);
}

function numberText(n: number): string {
  return String(n);
}

// ---------------------------------------------------------------------------------------------
// IP addresses (event-ruler CIDR: IPv4 dotted quads and IPv6 literals)
// ---------------------------------------------------------------------------------------------

const IPV4_RE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_RE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (part.length === 0 || part.length > 3 || (part.length > 1 && part.startsWith('0'))) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups: number[] = [];
    for (const g of s.split(':')) {
      if (g.length === 0 || g.length > 4) return null;
      groups.push(Number.parseInt(g, 16));
    }
    return groups;
  };
  let groups: number[];
  if (doubleColon === -1) {
    const all = parseGroups(text);
    if (all?.length !== 8) return null;
    groups = all;
  } else {
    const head = parseGroups(text.slice(0, doubleColon));
    const tail = parseGroups(text.slice(doubleColon + 2));
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  // Like java.net.InetAddress, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 address.
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12);
  }
  return bytes;
}

/** Parses an IPv4 or IPv6 literal into its 4 or 16 bytes, or returns null. */
function parseIp(text: string): Uint8Array | null {
  if (IPV4_RE.test(text)) return parseIpv4(text);
  if (IPV6_RE.test(text)) return parseIpv6(text);
  return null;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

interface IpRange {
  readonly bottom: Uint8Array;
  readonly top: Uint8Array;
}

/** Parses `a.b.c.d/n` or `v6/n` into an inclusive address range; returns an error message on failure. */
function parseCidr(text: string): IpRange | string {
  const parts = text.split('/');
  if (parts.length !== 2) return `malformed CIDR "${text}", exactly one '/' required`;
  const [address = '', maskText = ''] = parts;
  if (!/^[+-]?\d+$/.test(maskText)) return `malformed CIDR "${text}", mask bits must be an integer`;
  const mask = Number(maskText);
  if (mask < 0) return `malformed CIDR "${text}", mask bits must not be negative`;
  const ip = parseIp(address);
  if (!ip) return `invalid IP address "${address}" in CIDR "${text}"`;
  const totalBits = ip.length * 8;
  // event-ruler accepts /0../31 for IPv4 and /0../127 for IPv6.
  if (mask >= totalBits) return `${ip.length === 4 ? 'IPv4' : 'IPv6'} mask bits must be < ${totalBits}`;
  const bottom = new Uint8Array(ip.length);
  const top = new Uint8Array(ip.length);
  for (let i = 0; i < ip.length; i++) {
    const fixedBits = Math.max(0, Math.min(8, mask - i * 8));
    const hostMask = fixedBits === 8 ? 0 : 0xff >> fixedBits;
    const byte = ip[i] ?? 0;
    bottom[i] = byte & ~hostMask & 0xff;
    top[i] = byte | hostMask;
  }
  return { bottom, top };
}

function ipInRange(value: EventValue, range: IpRange): boolean {
  const ip = ipOf(value);
  if (!ip || ip.length !== range.bottom.length) return false;
  return compareBytes(ip, range.bottom) >= 0 && compareBytes(ip, range.top) <= 0;
}

// ---------------------------------------------------------------------------------------------
// String helpers: case-insensitive matching and wildcards
// ---------------------------------------------------------------------------------------------

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SYNTAX, '\\$&');
}

/**
 * Builds a regex that matches `text` ignoring case the way event-ruler does: each character of the
 * pattern matches its lower-case or its upper-case form.
 */
function caseInsensitiveRegex(text: string, mode: 'exact' | 'prefix' | 'suffix'): RegExp {
  let body = '';
  for (const ch of text) {
    const forms = new Set([ch.toLowerCase(), ch.toUpperCase()]);
    body += forms.size === 1 ? escapeRegex(ch) : `(?:${[...forms].map(escapeRegex).join('|')})`;
  }
  const source = mode === 'exact' ? `^${body}$` : mode === 'prefix' ? `^${body}` : `${body}$`;
  return new RegExp(source, 'u');
}

/** A parsed wildcard: literal segments separated by `*`. */
type Wildcard = readonly string[];

/** Parses a wildcard pattern, returning its literal segments or an error message. */
function parseWildcard(text: string): Wildcard | string {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '*') {
      if (text[i + 1] === '*') return `consecutive wildcard characters at position ${i} of "${text}"`;
      segments.push(current);
      current = '';
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') {
        return `invalid escape at position ${i} of "${text}" (only \\* and \\\\ are allowed)`;
      }
      current += next;
      i++;
    } else {
      current += ch;
    }
  }
  segments.push(current);
  return segments;
}

/** Matches a whole string against a parsed wildcard (linear-time greedy algorithm, no backtracking blow-up). */
function wildcardMatches(segments: Wildcard, s: string): boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return s === first;
  const last = segments[segments.length - 1] ?? '';
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const seg = segments[i] ?? '';
    const found = s.indexOf(seg, pos);
    if (found === -1 || found + seg.length > end) return false;
    pos = found + seg.length;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation
// ---------------------------------------------------------------------------------------------

/** The matchers allowed at one field path of a sub-rule. */
interface Leaf {
  readonly tests: readonly ValueTest[];
  /** True when `{"exists": false}` is one of the alternatives. */
  readonly absence: boolean;
}

interface KeyRule {
  readonly path: string;
  readonly leaf: Leaf;
}

/** One fully expanded alternative of a pattern (after distributing `$or`). */
type SubRule = readonly KeyRule[];

const OR_KEY = '$or';

/** Field names that event-ruler refuses inside `$or` branches. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function joinPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** Mutable list of partial sub-rules, each mapping field path to leaf (like event-ruler's rule list). */
type RuleSet = Map<string, Leaf>[];

class Compiler {
  /** Compiles a whole pattern into its sub-rules. */
  compile(pattern: unknown): SubRule[] {
    if (!isPlainObject(pattern)) {
      throw new InvalidPatternError('<root>', `pattern must be a JSON object, got ${describe(pattern)}`);
    }
    const rules: RuleSet = [];
    this.parseObject(rules, pattern, '', '', false);
    return rules.map((rule) =>
      [...rule.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([path, leaf]) => ({ path, leaf })),
    );
  }

  /**
   * @param fieldPath - dotted field path used for matching (no `$or` segments)
   * @param displayPath - path shown in error messages (with `$or[i]` segments)
   */
  private parseObject(
    rules: RuleSet,
    obj: Record<string, unknown>,
    fieldPath: string,
    displayPath: string,
    insideOr: boolean,
  ): void {
    const keys = Object.keys(obj);
    if (keys.length === 0) {
      throw new InvalidPatternError(displayPath || '<root>', 'empty objects are not allowed');
    }
    for (const key of keys) {
      const value = obj[key];
      if (key === OR_KEY) {
        this.parseOr(rules, value, fieldPath, joinPath(displayPath, OR_KEY));
        continue;
      }
      const display = joinPath(displayPath, key);
      if (insideOr && RESERVED_IN_OR.has(key)) {
        throw new InvalidPatternError(
          display,
          `"${key}" is a reserved word and cannot be a field name inside $or`,
        );
      }
      if (Array.isArray(value)) {
        this.writeRules(rules, joinPath(fieldPath, key), value, display);
      } else if (isPlainObject(value)) {
        this.parseObject(rules, value, joinPath(fieldPath, key), display, insideOr);
      } else {
        throw new InvalidPatternError(
          display,
          `must be an object or an array of match values, got ${describe(value)}`,
        );
      }
    }
  }

  private parseOr(rules: RuleSet, value: unknown, fieldPath: string, displayPath: string): void {
    if (!Array.isArray(value)) {
      throw new InvalidPatternError(displayPath, `$or must be an array of objects, got ${describe(value)}`);
    }
    if (value.length < 2) {
      throw new InvalidPatternError(displayPath, `$or needs at least 2 objects, got ${value.length}`);
    }
    const current = rules.map((rule) => new Map(rule));
    rules.length = 0;
    value.forEach((branch, i) => {
      const branchPath = `${displayPath}[${i}]`;
      if (!isPlainObject(branch)) {
        throw new InvalidPatternError(branchPath, `$or elements must be objects, got ${describe(branch)}`);
      }
      const branchRules = current.map((rule) => new Map(rule));
      if (branchRules.length === 0) branchRules.push(new Map());
      this.parseObject(branchRules, branch, fieldPath, branchPath, true);
      rules.push(...branchRules);
    });
  }

  private writeRules(rules: RuleSet, fieldPath: string, values: readonly unknown[], display: string): void {
    if (values.length === 0) {
      throw new InvalidPatternError(display, 'empty arrays are not allowed; list at least one match value');
    }
    const tests: ValueTest[] = [];
    let absence = false;
    values.forEach((v, i) => {
      const where = values.length > 1 ? ` (match value #${i + 1})` : '';
      if (isPlainObject(v)) {
        const compiled = this.matchExpression(v, display, where);
        if (compiled === 'absent') absence = true;
        else tests.push(compiled);
      } else {
        tests.push(this.literal(v, display, where));
      }
    });
    const leaf: Leaf = { tests, absence };
    if (rules.length === 0) rules.push(new Map());
    for (const rule of rules) rule.set(fieldPath, leaf);
  }

  private literal(v: unknown, display: string, where: string): ValueTest {
    if (typeof v === 'string') {
      const ip = parseIp(v);
      if (ip) {
        // event-ruler turns an exact IP literal into a one-address range: "::A" matches "::a".
        const range: IpRange = { bottom: ip, top: ip };
        return (value) => (value.kind === 'string' && value.text === v) || ipInRange(value, range);
      }
      return (value) => value.kind === 'string' && value.text === v;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        throw new InvalidPatternError(display, `match values must be finite numbers${where}`);
      }
      const text = numberText(v);
      const scaled = toComparable(text);
      return (value) =>
        value.kind === 'number' && (value.text === text || (scaled !== null && scaledOf(value) === scaled));
    }
    if (typeof v === 'boolean' || v === null) {
      const text = String(v);
      return (value) => value.kind === 'literal' && value.text === text;
    }
    throw new InvalidPatternError(
      display,
      `match values must be strings, numbers, booleans, null or operator objects, got ${describe(v)}${where}`,
    );
  }

  private matchExpression(
    expr: Record<string, unknown>,
    display: string,
    where: string,
  ): ValueTest | 'absent' {
    const keys = Object.keys(expr);
    if (keys.length !== 1) {
      throw new InvalidPatternError(
        display,
        keys.length === 0
          ? `empty operator object${where}`
          : `an operator object takes exactly one operator, got ${keys.map((k) => `"${k}"`).join(', ')}${where}`,
      );
    }
    const op = keys[0] ?? '';
    const arg = expr[op];
    const fail = (detail: string): never => {
      throw new InvalidPatternError(display, `${detail}${where}`);
    };
    const needString = (name: string): string => {
      if (typeof arg !== 'string') fail(`${name} needs a string, got ${describe(arg)}`);
      return arg as string;
    };
    switch (op) {
      case 'exactly': {
        const s = needString('exactly');
        return (value) => value.kind === 'string' && value.text === s;
      }
      case 'prefix':
      case 'suffix':
        return this.prefixOrSuffix(op, arg, fail);
      case 'equals-ignore-case': {
        const re = caseInsensitiveRegex(needString('equals-ignore-case'), 'exact');
        return (value) => value.kind === 'string' && re.test(value.text);
      }
      case 'wildcard': {
        const parsed = parseWildcard(needString('wildcard'));
        if (typeof parsed === 'string') return fail(`wildcard: ${parsed}`);
        return (value) => value.kind === 'string' && wildcardMatches(parsed, value.text);
      }
      case 'cidr': {
        const range = parseCidr(needString('cidr'));
        if (typeof range === 'string') return fail(`cidr: ${range}`);
        return (value) => ipInRange(value, range);
      }
      case 'exists':
        if (arg === true) return () => true;
        if (arg === false) return 'absent';
        return fail(`exists needs true or false, got ${describe(arg)}`);
      case 'numeric':
        return this.numeric(arg, fail);
      case 'anything-but':
        return this.anythingBut(arg, fail);
      default:
        return fail(`unknown operator "${op}"`);
    }
  }

  private prefixOrSuffix(op: 'prefix' | 'suffix', arg: unknown, fail: (detail: string) => never): ValueTest {
    if (typeof arg === 'string') {
      return op === 'prefix'
        ? (value) => value.kind === 'string' && value.text.startsWith(arg)
        : (value) => value.kind === 'string' && value.text.endsWith(arg);
    }
    if (isPlainObject(arg)) {
      const inner = Object.keys(arg);
      if (inner.length !== 1 || inner[0] !== 'equals-ignore-case') {
        return fail(`${op} object form only supports a single "equals-ignore-case" key`);
      }
      const text = arg['equals-ignore-case'];
      if (typeof text !== 'string') {
        return fail(`${op}/equals-ignore-case needs a string, got ${describe(text)}`);
      }
      const re = caseInsensitiveRegex(text, op === 'prefix' ? 'prefix' : 'suffix');
      return (value) => value.kind === 'string' && re.test(value.text);
    }
    return fail(`${op} needs a string or {"equals-ignore-case": string}, got ${describe(arg)}`);
  }

  private numeric(arg: unknown, fail: (detail: string) => never): ValueTest {
    if (!Array.isArray(arg) || arg.length === 0) {
      return fail(`numeric operator needs a non-empty array like [">", 0, "<=", 5], got ${describe(arg)}`);
    }
    const operand = (index: number, operator: string): number => {
      const v: unknown = arg[index];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return fail(
          `numeric operator needs a number after "${operator}", got ${v === undefined ? 'nothing' : describe(v)}`,
        );
      }
      const scaled = toComparable(numberText(v));
      if (scaled === null) {
        return fail(
          `numeric value ${numberText(v)} is not supported: numbers must be between -5e9 and 5e9 ` +
            'with at most 6 decimal places',
        );
      }
      return scaled;
    };
    const first = arg[0];
    if (typeof first !== 'string') {
      return fail(
        `numeric operator needs an operator string first ("=", "<", "<=", ">", ">="), got ${describe(first)}`,
      );
    }
    const min = -Number(FIVE_BILLION_SCALED);
    const max = Number(FIVE_BILLION_SCALED);
    let bottom = min;
    let openBottom = false;
    let top = max;
    let openTop = false;
    switch (first) {
      case '=': {
        const eq = operand(1, '=');
        if (arg.length !== 2) return fail('numeric "=" takes exactly one number');
        return (value) => value.kind === 'number' && scaledOf(value) === eq;
      }
      case '<':
      case '<=':
        top = operand(1, first);
        openTop = first === '<';
        if (arg.length !== 2) return fail(`numeric "${first}" takes exactly one number and must come last`);
        break;
      case '>':
      case '>=': {
        bottom = operand(1, first);
        openBottom = first === '>';
        if (arg.length === 2) break;
        const second: unknown = arg[2];
        if (second !== '<' && second !== '<=') {
          return fail(`numeric range upper operator must be "<" or "<=", got ${describe(second)}`);
        }
        top = operand(3, second);
        openTop = second === '<';
        if (arg.length !== 4) return fail('too many elements in numeric range expression');
        break;
      }
      default:
        return fail(`unknown numeric operator "${first}" (use "=", "<", "<=", ">", ">=")`);
    }
    if (bottom >= top) {
      return fail(
        'numeric range is empty: the lower bound must be less than the upper bound (range is -5e9..5e9)',
      );
    }
    return (value) => {
      if (value.kind !== 'number') return false;
      const n = scaledOf(value);
      if (n === null) return false;
      return (openBottom ? n > bottom : n >= bottom) && (openTop ? n < top : n <= top);
    };
  }

  private anythingBut(arg: unknown, fail: (detail: string) => never): ValueTest {
    if (isPlainObject(arg)) return this.anythingButObject(arg, fail);
    const list: readonly unknown[] = Array.isArray(arg) ? arg : [arg];
    if (list.length === 0) return fail('anything-but list must not be empty');
    if (list.every((v) => typeof v === 'string')) {
      const excluded = new Set(list as string[]);
      return (value) => value.kind !== 'string' || !excluded.has(value.text);
    }
    if (list.every((v) => typeof v === 'number')) {
      const excluded = new Set<number>();
      for (const v of list as number[]) {
        const scaled = Number.isFinite(v) ? toComparable(numberText(v)) : null;
        if (scaled === null) {
          return fail(
            `anything-but number ${numberText(v)} is not supported: numbers must be between -5e9 and 5e9 ` +
              'with at most 6 decimal places',
          );
        }
        excluded.add(scaled);
      }
      return (value) => {
        if (value.kind !== 'number') return true;
        const n = scaledOf(value);
        return n === null || !excluded.has(n);
      };
    }
    if (Array.isArray(arg)) {
      return fail(
        'anything-but list values must be all strings or all numbers (no mixing, null or booleans)',
      );
    }
    return fail(
      `anything-but needs a string, a number, an array or an operator object, got ${describe(arg)}`,
    );
  }

  private anythingButObject(arg: Record<string, unknown>, fail: (detail: string) => never): ValueTest {
    const keys = Object.keys(arg);
    const op = keys[0] ?? '';
    if (keys.length !== 1) {
      return fail(
        'anything-but object takes exactly one of "prefix", "suffix", "equals-ignore-case", "wildcard"',
      );
    }
    const raw = arg[op];
    const list: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
    if (!list.every((v): v is string => typeof v === 'string')) {
      return fail(`anything-but/${op} needs a string or an array of strings`);
    }
    const strings = list as readonly string[];
    switch (op) {
      case 'prefix':
      case 'suffix': {
        if (strings.some((s) => s === '')) return fail(`anything-but/${op} must not be an empty string`);
        return op === 'prefix'
          ? (value) => value.kind !== 'string' || !strings.some((p) => value.text.startsWith(p))
          : (value) => value.kind !== 'string' || !strings.some((p) => value.text.endsWith(p));
      }
      case 'equals-ignore-case': {
        const res = strings.map((s) => caseInsensitiveRegex(s, 'exact'));
        return (value) => value.kind !== 'string' || !res.some((re) => re.test(value.text));
      }
      case 'wildcard': {
        const parsed: Wildcard[] = [];
        for (const s of strings) {
          const w = parseWildcard(s);
          if (typeof w === 'string') return fail(`anything-but/wildcard: ${w}`);
          parsed.push(w);
        }
        return (value) => value.kind !== 'string' || !parsed.some((w) => wildcardMatches(w, value.text));
      }
      default:
        return fail(
          `unsupported anything-but operator "${op}" (use "prefix", "suffix", "equals-ignore-case" or "wildcard")`,
        );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Event flattening and array-consistent matching
// ---------------------------------------------------------------------------------------------

/** Every path, and every dotted prefix of a path, that a compiled pattern looks at. */
function usedPaths(subRules: readonly SubRule[]): Set<string> {
  const used = new Set<string>();
  for (const rule of subRules) {
    for (const { path } of rule) {
      used.add(path);
      for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1)) used.add(path.slice(0, i));
    }
  }
  return used;
}

function leafValue(v: unknown): EventValue | null {
  switch (typeof v) {
    case 'string':
      return { kind: 'string', text: v };
    case 'number':
      return { kind: 'number', text: numberText(v) };
    case 'bigint':
      return { kind: 'number', text: v.toString() };
    case 'boolean':
      return { kind: 'literal', text: String(v) };
    default:
      return v === null ? { kind: 'literal', text: 'null' } : null;
  }
}

/** Flattens an event into fields keyed by dotted path, keeping only paths the pattern uses. */
function flattenEvent(event: Record<string, unknown>, used: Set<string>): Map<string, Field[]> {
  const fields = new Map<string, Field[]>();
  let arrayCount = 0;

  const add = (path: string, value: EventValue, membership: Membership): void => {
    const list = fields.get(path);
    if (list) list.push({ value, membership });
    else fields.set(path, [{ value, membership }]);
  };

  const visit = (v: unknown, path: string, membership: Membership): void => {
    if (Array.isArray(v)) {
      const arrayId = arrayCount++;
      v.forEach((element, index) => {
        if (typeof element === 'object' && element !== null) {
          visit(element, path, [...membership, [arrayId, index]]);
        } else {
          const leaf = leafValue(element);
          if (leaf) add(path, leaf, membership);
        }
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (used.has(childPath)) visit(child, childPath, membership);
      }
    } else {
      const leaf = leafValue(v);
      if (leaf) add(path, leaf, membership);
    }
  };

  visit(event, '', []);
  return fields;
}

/** Merges two memberships, or returns null when they disagree on an element of the same array. */
function mergeMembership(a: Membership, b: Membership): Membership | null {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  let merged: (readonly [number, number])[] | null = null;
  for (const pair of b) {
    const existing = a.find(([id]) => id === pair[0]);
    if (existing) {
      if (existing[1] !== pair[1]) return null;
    } else {
      merged ??= [...a];
      merged.push(pair);
    }
  }
  return merged ?? a;
}

function matchFrom(
  rule: SubRule,
  index: number,
  fields: Map<string, Field[]>,
  membership: Membership,
): boolean {
  const key = rule[index];
  if (!key) return true;
  const candidates = fields.get(key.path) ?? [];
  if (key.leaf.absence) {
    const present = candidates.some((f) => mergeMembership(membership, f.membership) !== null);
    if (!present && matchFrom(rule, index + 1, fields, membership)) return true;
  }
  if (key.leaf.tests.length === 0) return false;
  for (const field of candidates) {
    const merged = mergeMembership(membership, field.membership);
    if (merged === null) continue;
    if (!key.leaf.tests.some((test) => test(field.value))) continue;
    if (matchFrom(rule, index + 1, fields, merged)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Validates an EventBridge event pattern using event-ruler's rules (JsonRuleCompiler).
 *
 * @param pattern - the parsed JSON pattern
 * @throws {@link InvalidPatternError} naming the path of the offending part, e.g.
 *   `detail.Status: numeric operator needs a number after ">", got string "5"`
 */
export function validatePattern(pattern: unknown): void {
  new Compiler().compile(pattern);
}

/**
 * Compiles (and validates) a pattern into a reusable matcher. Prefer this when routing many events
 * through the same pattern. The matcher returns false for events that are not JSON objects.
 *
 * @param pattern - the parsed JSON pattern
 * @returns a function telling whether an event matches the pattern
 * @throws {@link InvalidPatternError} if the pattern is invalid
 */
export function compilePattern(pattern: unknown): EventMatcher {
  const subRules = new Compiler().compile(pattern);
  const used = usedPaths(subRules);
  return (event: unknown): boolean => {
    if (!isPlainObject(event)) return false;
    const fields = flattenEvent(event, used);
    return subRules.some((rule) => matchFrom(rule, 0, fields, []));
  };
}

const CACHE_LIMIT = 256;
const matcherCache = new Map<string, EventMatcher>();

/**
 * A cache key that tells apart every JSON-representable pattern (JSON.stringify alone would confuse
 * `NaN` with `null`); undefined for values that are not plain JSON, which are then not cached.
 */
function cacheKey(value: unknown): string | undefined {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const element of value) {
      const part = cacheKey(element);
      if (part === undefined) return undefined;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  if (isPlainObject(value)) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const part = cacheKey(v);
      if (part === undefined) return undefined;
      parts.push(`${JSON.stringify(k)}:${part}`);
    }
    return `{${parts.join(',')}}`;
  }
  return undefined;
}

function cachedMatcher(pattern: unknown): EventMatcher {
  const key = isPlainObject(pattern) ? cacheKey(pattern) : undefined;
  if (key === undefined) return compilePattern(pattern);
  let matcher = matcherCache.get(key);
  if (!matcher) {
    matcher = compilePattern(pattern);
    if (matcherCache.size >= CACHE_LIMIT) {
      const oldest = matcherCache.keys().next();
      if (!oldest.done) matcherCache.delete(oldest.value);
    }
    matcherCache.set(key, matcher);
  }
  return matcher;
}

/**
 * Tells whether an event matches an EventBridge event pattern, with event-ruler semantics
 * (`rulesForJSONEvent` / `Ruler.matchesRule`), including array-consistent matching.
 * Compiled patterns are cached (bounded) by their JSON text, so mutating a pattern is safe.
 *
 * @param pattern - the parsed JSON pattern
 * @param event - the parsed JSON event; anything but a JSON object never matches
 * @returns true if the event matches
 * @throws {@link InvalidPatternError} if the pattern is invalid
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return cachedMatcher(pattern)(event);
}
