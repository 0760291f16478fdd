/**
 * EventBridge event-pattern matching for the local sandbox: the public entry point. The matcher
 * lives in `sandbox/event-pattern/` — values (comparable numbers, IP addresses), wildcards,
 * compile (validation and `$or` expansion) and match (array-consistent matching).
 *
 * @module
 */
export {
  compilePattern,
  type EventMatcher,
  InvalidPatternError,
  matchesPattern,
  validatePattern,
} from './event-pattern/index.ts';
