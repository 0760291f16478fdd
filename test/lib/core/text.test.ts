import { describe, expect, it } from 'vitest';
import { CUT_MARKER_PATTERN, cutText, normalizeFreeText, normalizeText } from '../../../lib/core/text.ts';

describe('cutText', () => {
  it('returns text within the bound as it is', () => {
    expect(cutText('x'.repeat(40), 40)).toBe('x'.repeat(40));
  });

  it('cuts to the bound, marker included, saying how much was dropped', () => {
    const out = cutText('x'.repeat(100), 40);
    expect(out).toBe(`${'x'.repeat(24)}… [cut 76 chars]`);
    expect(out).toHaveLength(40);
    expect(Number(out.match(CUT_MARKER_PATTERN)![1]) + 24).toBe(100);
  });

  it('keeps the bound when the count gains a digit', () => {
    for (const len of [1_000, 1_017, 1_018, 1_019, 10_020, 100_000]) {
      const out = cutText('y'.repeat(len), 1_000);
      expect(out.length).toBeLessThanOrEqual(1_000);
      const kept = out.replace(CUT_MARKER_PATTERN, '').length;
      if (len > 1_000) expect(Number(out.match(CUT_MARKER_PATTERN)![1])).toBe(len - kept);
    }
  });

  it('never cuts a surrogate pair in half', () => {
    const out = cutText('😀'.repeat(50), 40);
    expect(out.length).toBeLessThanOrEqual(40);
    expect(out.replace(CUT_MARKER_PATTERN, '')).toMatch(/^(😀)+$/u);
  });

  it('is idempotent: a cut text is not cut again', () => {
    const once = cutText('z'.repeat(5_000), 2_000);
    expect(cutText(once, 2_000)).toBe(once);
  });

  it('cuts without a marker when the bound is smaller than the marker', () => {
    expect(cutText('abcdefghij', 4)).toBe('abcd');
  });
});

describe('normalizeText', () => {
  it('keeps ordinary text, tabs and line feeds as they are', () => {
    expect(normalizeText('Deployment failed.\n\tstep 2: health check', 100)).toBe(
      'Deployment failed.\n\tstep 2: health check',
    );
  });

  it('replaces control, separator and bidi-override characters with U+FFFD', () => {
    expect(normalizeText('a\u0000b\u001bc\u007fd\u0085e\u2028f\u202eg\r', 100)).toBe(
      'a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\ufffd',
    );
  });

  it('replaces lone surrogates but keeps pairs', () => {
    expect(normalizeText('ok 😀 bad \ud83d end', 100)).toBe('ok 😀 bad \ufffd end');
  });

  it('cuts long text with the one marker', () => {
    expect(normalizeText(`\u0000${'x'.repeat(99)}`, 40)).toBe(`\ufffd${'x'.repeat(23)}… [cut 76 chars]`);
  });
});

describe('normalizeFreeText', () => {
  it('treats null and undefined as absent, and renders other JSON types as text', () => {
    expect(normalizeFreeText(undefined, 10)).toBeUndefined();
    expect(normalizeFreeText(null, 10)).toBeUndefined();
    expect(normalizeFreeText(42, 10)).toBe('42');
    expect(normalizeFreeText({ a: [1] }, 100)).toBe('{"a":[1]}');
  });
});
