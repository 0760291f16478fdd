/**
 * String matching helpers: case-insensitive regexes and `*` wildcards (linear time).
 *
 * @module
 */

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

export function escapeRegex(text: string): string {
  return text.replace(REGEX_SYNTAX, '\\$&');
}

/**
 * Builds a regex that matches `text` ignoring case the way event-ruler does: each character of the
 * pattern matches its lower-case or its upper-case form.
 */
export function caseInsensitiveRegex(text: string, mode: 'exact' | 'prefix' | 'suffix'): RegExp {
  let body = '';
  for (const ch of text) {
    const forms = new Set([ch.toLowerCase(), ch.toUpperCase()]);
    body += forms.size === 1 ? escapeRegex(ch) : `(?:${[...forms].map(escapeRegex).join('|')})`;
  }
  const source = mode === 'exact' ? `^${body}$` : mode === 'prefix' ? `^${body}` : `${body}$`;
  return new RegExp(source, 'u');
}

/** A parsed wildcard: literal segments separated by `*`. */
export type Wildcard = readonly string[];

/** Parses a wildcard pattern, returning its literal segments or an error message. */
export function parseWildcard(text: string): Wildcard | string {
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
export function wildcardMatches(segments: Wildcard, s: string): boolean {
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
