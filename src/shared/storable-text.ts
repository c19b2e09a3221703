/**
 * Text PostgreSQL stores as it is: no U+0000 (`text` refuses it) and no lone UTF-16 surrogate (a
 * high one not followed by a low one, or a low one not preceded by a high one: it cannot be encoded
 * as UTF-8 and would be stored as U+FFFD). Client input with either is refused (input-guard.ts);
 * text from elsewhere (a webhook receiver's answer) is made storable (`storableText`).
 */
const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const NOT_STORABLE = new RegExp(`\\u0000|${LONE_SURROGATE}`);
const LONE_SURROGATES = new RegExp(LONE_SURROGATE, 'g');

export function isStorableText(text: string): boolean {
  return !NOT_STORABLE.test(text);
}

/**
 * At most `max` UTF-16 units of `text`, storable: U+0000 removed, lone surrogates replaced by
 * U+FFFD, and never a cut between the two halves of a surrogate pair.
 */
export function storableText(text: string, max = Number.POSITIVE_INFINITY): string {
  const clean = text.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD');
  if (clean.length <= max) return clean;
  const end = /[\uD800-\uDBFF]/.test(clean.charAt(max - 1)) ? max - 1 : max;
  return clean.slice(0, end);
}
