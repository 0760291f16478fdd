import { InvalidEventError } from '../core/errors.ts';

/**
 * EventBridge accepts entries of at most 256 KB, and Lambda's asynchronous invoke payloads are
 * of the same order: a larger event cannot be a genuine one.
 */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Nesting bound. The guard's deepest genuine input (a Scheduler payload with its schedule
 * definition) is under ten levels; thousands of levels make recursive code (validation,
 * `JSON.stringify`, structured cloning, logging) overflow the stack.
 */
export const MAX_EVENT_DEPTH = 32;

/** Which limit an event broke: also the rejection's metric reason. */
export type EventLimit = 'size' | 'depth';

/** An event rejected for its shape alone, before any recursive work touched it. */
export class EventLimitError extends InvalidEventError {
  constructor(
    readonly limit: EventLimit,
    field: string,
    message: string,
  ) {
    super(field, message);
  }
}

/** Bytes JSON needs around a value beyond its content: quotes, separators, brackets. */
const STRING_OVERHEAD = 3;

/**
 * Checks an event's approximate JSON size and its nesting depth with one iterative walk (an
 * explicit stack, no recursion), stopping as soon as either limit is passed, so the work is
 * bounded by the limits, not by the event: a 5,000-level or multi-megabyte event costs no more
 * than one just over the line. Cycles (impossible in parsed JSON) end at the depth limit.
 *
 * The field named is the path of the first two levels under which the limit was passed
 * (`detail.Extra`), or `(event)` for size.
 *
 * @throws EventLimitError (an `InvalidEventError`) when the event is too large or too deep.
 */
export function checkEventLimits(
  raw: unknown,
  limits: { maxBytes: number; maxDepth: number } = { maxBytes: MAX_EVENT_BYTES, maxDepth: MAX_EVENT_DEPTH },
): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: raw, depth: 0, path: '' }];
  let bytes = 0;
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === 'string') {
      bytes += Buffer.byteLength(value, 'utf8') + STRING_OVERHEAD;
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= limits.maxDepth) {
        throw new EventLimitError('depth', path || '(event)', `nested deeper than ${limits.maxDepth} levels`);
      }
      bytes += 2;
      const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
      for (const [key, child] of entries) {
        bytes += Array.isArray(value) ? 1 : String(key).length + STRING_OVERHEAD;
        const childPath = depth < 2 ? (path ? `${path}.${key}` : String(key)) : path;
        stack.push({ value: child, depth: depth + 1, path: childPath });
        if (bytes > limits.maxBytes) break;
      }
    } else {
      bytes += 8;
    }
    if (bytes > limits.maxBytes) {
      throw new EventLimitError('size', '(event)', `larger than ${limits.maxBytes} bytes`);
    }
  }
}
