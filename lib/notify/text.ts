/**
 * Text helpers shared by the Slack and SNS renderers. Event text is untrusted: it may carry
 * mrkdwn control sequences (`<!channel>`, `<https://…|label>`), control characters or be very long.
 */

const ELLIPSIS = '…';

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` become entities, so event text can never open a
 * mention (`<!channel>`, `<@U…>`) or a disguised link (`<https://…|label>`). Slack documents these
 * three as the only characters that must be escaped.
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Shortens text to at most `max` UTF-16 code units, never splitting a surrogate pair, marking the
 * cut with an ellipsis.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - ELLIPSIS.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, Math.max(0, cut))}${ELLIPSIS}`;
}

/**
 * Escapes for mrkdwn, then fits `max`. Truncating after escaping could cut an entity in half
 * (`&am…`), so the cut backs off to before any partial entity.
 */
export function mrkdwn(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = truncate(escaped, max);
  const amp = out.lastIndexOf('&');
  if (amp !== -1 && !out.slice(amp).includes(';')) out = `${out.slice(0, amp)}${ELLIPSIS}`;
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Replaces control characters and line breaks with single spaces. */
export function singleLine(text: string): string {
  return text.replace(CONTROL, ' ').trim();
}

/**
 * An SNS subject: printable ASCII only, no line breaks, under 100 characters (SNS rejects
 * anything else, which would lose the alert).
 */
export function snsSubject(text: string): string {
  const ascii = singleLine(text)
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const subject = ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
  return subject.length > 0 ? subject : 'apprunner-guard alert';
}
