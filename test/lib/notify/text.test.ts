import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, mrkdwn, snsSubject, truncate } from '../../../lib/notify/text.ts';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U024BE7LH>', '&lt;@U024BE7LH&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['a & b', 'a &amp; b'],
    ['&lt; already', '&amp;lt; already'],
    ['plain *bold* text', 'plain *bold* text'],
  ])('%s', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });
});

describe('truncate and mrkdwn', () => {
  it('leaves short text alone and marks cuts', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    const out = truncate('ab😀😀😀', 4);
    expect(out).toBe('ab…');
    expect(() => encodeURIComponent(out)).not.toThrow();
  });

  it('never leaves half an entity after escaping', () => {
    const out = mrkdwn('ab<<<<', 8);
    expect(out.length).toBeLessThanOrEqual(8);
    expect(out).toBe('ab&lt;…');
  });
});

describe('snsSubject', () => {
  it('falls back to a default when nothing printable is left', () => {
    expect(snsSubject('✗✗✗')).toBe('apprunner-guard alert');
  });
});
