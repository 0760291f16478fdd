import { describe, expect, it } from 'vitest';
import { normalizeFreeText, normalizeText } from '../../../lib/events/text.ts';

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

  it('cuts long text with a marker saying how much was dropped', () => {
    expect(normalizeText('x'.repeat(10), 4)).toBe('xxxx… [truncated 6 chars]');
  });

  it('never cuts a surrogate pair in half', () => {
    const out = normalizeText(`abc😀def`, 4);
    expect(out).toBe('abc… [truncated 5 chars]');
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
