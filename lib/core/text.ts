/**
 * Free text (an App Runner event's `Message` and `Severity`, a guard event's `reason`, `trigger`
 * and `details` strings) is cosmetic: it is normalised and cut to a bound, never a reason to reject
 * an event or lose an incident. Identity fields stay strict elsewhere. This is the one place text
 * is cut, so every cut reads the same: `… [cut 1234 chars]`.
 */

/**
 * Characters replaced by U+FFFD: C0 controls except tab and line feed (which messages use
 * legitimately), DEL, C1 controls, the Unicode line and paragraph separators, and the bidi
 * embedding/override/isolate controls, which can make an alert read differently from what it says.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const REPLACEMENT = '\ufffd';

/** The marker ending a cut text: says how many UTF-16 code units were dropped. */
export const cutMarker = (dropped: number): string => `… [cut ${dropped} chars]`;

/** Matches a text that {@link cutText} cut; group 1 is the number of characters dropped. */
export const CUT_MARKER_PATTERN = /… \[cut (\d+) chars\]$/;

/**
 * Cuts `text` to at most `max` UTF-16 code units, marker included, never inside a surrogate pair.
 * Text within the bound is returned as is, so cutting twice changes nothing. A bound too small for
 * the marker cuts without one.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  // The marker's length depends on the count it prints: shorten until text and marker fit.
  for (let end = max - cutMarker(text.length - max).length; end > 0; end--) {
    const kept = keepPairs(text, end);
    const marker = cutMarker(text.length - kept.length);
    if (kept.length + marker.length <= max) return `${kept}${marker}`;
  }
  return keepPairs(text, max);
}

/** The first `n` code units of `text`, one fewer when that would split a surrogate pair. */
function keepPairs(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/**
 * Makes untrusted free text safe to carry: unsafe control characters and lone surrogates become
 * U+FFFD, then the text is cut to `max` with {@link cutText}.
 */
export function normalizeText(text: string, max: number): string {
  return cutText(text.replace(UNSAFE, REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT), max);
}

/**
 * Free text of any JSON type as a normalised string: a string as is, a number or boolean as its
 * text, an object or array as its JSON (events reaching here passed the size and depth limits, so
 * this cannot overflow). `undefined` and `null` mean absent.
 */
export function normalizeFreeText(value: unknown, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return normalizeText(text, max);
}
