/**
 * Free text in events (`Message`, `Severity`, a guard event's `reason`) is cosmetic: it is
 * normalised, never a reason to reject an event. Identity fields stay strict elsewhere.
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

/** Default bound of an App Runner event's `Message` (what the parser kept before it tolerated more). */
export const MESSAGE_MAX_CHARS = 4096;

/**
 * Makes untrusted free text safe to carry: unsafe control characters and lone surrogates become
 * U+FFFD, and text longer than `max` UTF-16 code units is cut (never inside a surrogate pair)
 * with a visible marker saying how much was dropped: `… [truncated 1234 chars]`.
 */
export function normalizeText(text: string, max: number): string {
  const clean = text.replace(UNSAFE, REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT);
  if (clean.length <= max) return clean;
  let cut = max;
  const code = clean.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${clean.slice(0, cut)}… [truncated ${clean.length - cut} chars]`;
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
