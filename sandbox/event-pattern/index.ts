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

import { Compiler, InvalidPatternError, isPlainObject } from './compile.ts';
import { flattenEvent, matchFrom, usedPaths } from './match.ts';

export { InvalidPatternError };

/** A compiled pattern: call it with an event to learn whether the pattern matches it. */
export type EventMatcher = (event: unknown) => boolean;

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
