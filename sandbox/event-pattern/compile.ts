/**
 * Pattern compilation: validates a pattern with event-ruler's rules and expands it into sub-rules
 * (one per combination of `$or` branches), each a sorted list of field paths with the value tests
 * allowed there.
 *
 * @module
 */

import {
  FIVE_BILLION_SCALED,
  type IpRange,
  ipInRange,
  numberText,
  parseCidr,
  parseIp,
  scaledOf,
  toComparable,
  type ValueTest,
} from './values.ts';
import { caseInsensitiveRegex, parseWildcard, type Wildcard, wildcardMatches } from './wildcard.ts';

/** Thrown by `validatePattern` (and by the matching functions) for an invalid pattern. */
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

/** The matchers allowed at one field path of a sub-rule. */
export interface Leaf {
  readonly tests: readonly ValueTest[];
  /** True when `{"exists": false}` is one of the alternatives. */
  readonly absence: boolean;
}

export interface KeyRule {
  readonly path: string;
  readonly leaf: Leaf;
}

/** One fully expanded alternative of a pattern (after distributing `$or`). */
export type SubRule = readonly KeyRule[];

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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
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

export class Compiler {
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
