/**
 * Log lines a person can read and CloudWatch will take whole: whatever an event carries (a 5 MB
 * field, 100,000 S3 records, 20,000 environment names), a log line is size-capped and long lists
 * are summarised. CloudWatch Logs cuts an event at 256 KB; a line this module has passed stays
 * well under it, and says what it left out.
 */
import { redactingJsonReplacer } from '../report/secrets.js';

/** The longest string kept whole in a log line. */
export const MAX_LOG_STRING = 2_000;
/** The most items of a list kept in a log line. */
export const MAX_LOG_ITEMS = 20;

/** `text`, cut to `max` characters with a note of how much was left out. */
export function capText(text: string, max = MAX_LOG_STRING): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * A JSON replacer for the Powertools logger: secrets redacted (report/secrets.ts), strings cut to
 * {@link MAX_LOG_STRING}, arrays to {@link MAX_LOG_ITEMS} with a last item saying how many more.
 *
 * @example
 * const logger = new Logger({ serviceName: 'steady', jsonReplacerFn: cappingJsonReplacer });
 */
export function cappingJsonReplacer(key: string, value: unknown): unknown {
  if (Array.isArray(value) && value.length > MAX_LOG_ITEMS) {
    return [...value.slice(0, MAX_LOG_ITEMS), `… and ${value.length - MAX_LOG_ITEMS} more`];
  }
  const redacted = redactingJsonReplacer(key, value);
  return typeof redacted === 'string' ? capText(redacted) : redacted;
}

/**
 * A list of names for a sentence: all of them when few, else the first ones and how many more.
 *
 * @example
 * summariseNames(['a', 'b', 'c'], 2); // 'a, b and 1 more'
 */
export function summariseNames(names: string[], max = 10): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
