/**
 * Bounded concurrency for work over many items (a fleet's services, a target's alarms): at most a
 * few calls in flight, so a large fleet stays under an API's request rate.
 */

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping order. Fleet work
 * (pausing 300 services at 20:00, the hourly pass over the guard's alarms) stays under
 * App Runner's request rate this way.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
