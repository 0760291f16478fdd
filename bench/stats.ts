/** Median, and the spread as the 10th–90th percentile range. */
export function summarize(samples: readonly number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), n: s.length };
}

export type Summary = ReturnType<typeof summarize>;

/** `x / floor` rounded to two decimals. */
export const ratio = (x: number, floor: number) => Math.round((x / floor) * 100) / 100;
