/**
 * The wording of spec problems. zod's own messages ("Invalid input: expected string, received
 * number") are written for programmers; these are written for the person editing the YAML:
 * `expected a string`, `unknown field "desiredcount" (did you mean "desiredCount"?)`.
 *
 * Nothing here ever repeats a value the user wrote, only its type: a value may be a secret
 * pasted where an ARN belongs, and these messages end up in terminals, CI logs and Slack.
 */
import type { z } from 'zod';

/** What a zod `expected` type is called in YAML terms. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
};

const FORMAT_NAMES: Record<string, string> = {
  email: 'an email address',
  url: 'a URL',
  uuid: 'a UUID',
  datetime: 'an ISO 8601 date and time',
};

/**
 * The error map passed to every `safeParse` of a spec document. Schema-level messages (the
 * regexes' and refinements' own wording in schema.ts) take precedence over it in zod 4, so it
 * only has to cover zod's built-in issues.
 *
 * An `unrecognized_keys` issue names several keys at once; the message holds one line per key,
 * in the order of `issue.keys`, so that the loader can report each key at its own position.
 */
export const specErrorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[iss.expected] ?? `a value of type ${iss.expected}`;
      if (iss.input === undefined) return `missing required field, expected ${expected}`;
      if (iss.input === null) return `expected ${expected}, got an empty value`;
      return `expected ${expected}`;
    }
    case 'unrecognized_keys': {
      const known = knownKeys(iss.inst);
      return iss.keys.map((key) => unknownFieldMessage(key, known)).join('\n');
    }
    case 'invalid_value':
      return iss.values.length === 1 ? `expected ${quote(String(iss.values[0]))}` : `expected one of: ${iss.values.map(String).join(', ')}`;
    case 'invalid_union': {
      if (iss.discriminator !== undefined) {
        const options = ((iss as { options?: unknown[] }).options ?? []).map(String).join(', ');
        const input = iss.input as Record<string, unknown> | undefined;
        if (input === null || typeof input !== 'object') return 'expected a mapping';
        return input[iss.discriminator] === undefined
          ? `missing required field, expected one of: ${options}`
          : `expected one of: ${options}`;
      }
      // A union of scalar types (environment values): every branch failed on the type alone.
      const branches: z.core.$ZodIssue[][] = iss.errors;
      const expected = branches
        .map((branch) => branch[0])
        .flatMap((first) => (first?.code === 'invalid_type' && first.path.length === 0 ? [first.expected] : []));
      if (expected.length === branches.length && expected.length > 0) return `expected a ${orList(expected)}`;
      return 'expected one of the accepted forms';
    }
    case 'invalid_key':
      return iss.issues[0]?.message ?? 'invalid key';
    case 'invalid_format':
      if (iss.format === 'regex' && iss.pattern) return `expected a string matching ${iss.pattern}`;
      return `expected ${FORMAT_NAMES[iss.format] ?? `a valid ${iss.format}`}`;
    case 'too_small':
      return sizeMessage(iss.origin, 'least', Number(iss.minimum), iss.inclusive !== false);
    case 'too_big':
      return sizeMessage(iss.origin, 'most', Number(iss.maximum), iss.inclusive !== false);
    case 'not_multiple_of':
      return `expected a multiple of ${String(iss.divisor)}`;
    default:
      return undefined;
  }
};

function sizeMessage(origin: string, bound: 'least' | 'most', n: number, inclusive: boolean): string {
  switch (origin) {
    case 'string':
      if (bound === 'least' && n === 1) return 'expected a non-empty string';
      return `expected at ${bound} ${n} character${n === 1 ? '' : 's'}`;
    case 'array':
    case 'set':
      return `expected at ${bound} ${n} item${n === 1 ? '' : 's'}`;
    default:
      if (!inclusive) return `expected a number ${bound === 'least' ? 'greater' : 'less'} than ${n}`;
      return `expected a number of at ${bound} ${n}`;
  }
}

/** The field names a zod object schema accepts, for "did you mean" suggestions. */
function knownKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** `unknown field "desiredcount" (did you mean "desiredCount"?)` */
function unknownFieldMessage(key: string, known: readonly string[]): string {
  const guess = suggest(key, known);
  return `unknown field ${quote(key)}${guess ? ` (did you mean ${quote(guess)}?)` : ''}`;
}

/**
 * The closest of `candidates` to `word`, if it is close enough to be a likely typo: case is
 * ignored, and at most a third of the letters may differ (at least one).
 *
 * @example
 * suggest('desiredcount', ['desiredCount', 'after']) // 'desiredCount'
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`contianer`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * A user-written identifier (a key, a name, a kind) in double quotes, cut short if long. Only for
 * names: values are never quoted back (see the file comment).
 */
export function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 61)}...` : s);
}

/** `a`, `a or b`, `a, b or c` */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * A zod/YAML path as the user reads it: `spec.taskDefinition.containers[0].image`. Keys that are
 * not plain identifiers are bracketed: `metadata.labels["app.kubernetes.io/name"]`.
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) out += out ? `.${String(segment)}` : String(segment);
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
