/**
 * The spec loader: files of multi-document YAML in, a validated {@link SpecSet} out, or every
 * problem of the whole set, each with file:line:column, the field path and what was expected.
 *
 * The order of the checks matters for safety: a file's size is checked before it is read or
 * parsed, its bytes must be UTF-8, YAML anchors and aliases are refused before anything is
 * expanded (so a "billion laughs" file costs a linear parse and nothing more), then each document
 * is checked against its kind's schema (schema.ts), and last the set as a whole: names,
 * environments, references and resources two specs would fight over.
 *
 * A set with any problem yields no SpecSet at all: callers never act on part of a spec set.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readlinkSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Composer, isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, Parser, type CST, type Document } from 'yaml';
import { checkSpecSet, type LoadedDoc } from './crossref.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_SET_LABEL, emptinessProblems, formatLimit, MAX_SPEC_FILES, setSizeProblems } from './limits.js';
import { formatPath, quote, specErrorMap, suggest } from './messages.js';
import { scanSecrets } from './secrets.js';
import {
  API_VERSION,
  KINDS,
  SCHEMAS,
  type AliasRecordDoc,
  type EnvironmentDoc,
  type Kind,
  type MigrationDoc,
  type ScheduledTaskDoc,
  type ServiceDoc,
  type SpecDoc,
} from './schema.js';

/** One spec file: its path as it should appear in messages, and its bytes (or text). */
export interface SpecFile {
  path: string;
  content: Uint8Array | string;
}

/** A position in a spec file; line and column start at 1. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One thing wrong with a spec set. */
export interface SpecProblem extends SourceLocation {
  /** The field, like `spec.taskDefinition.containers[0].image`; `''` for a whole document or file. */
  path: string;
  message: string;
}

/** The valid documents of one environment, with defaults filled in. */
export interface EnvironmentSpecs {
  name: string;
  environment: EnvironmentDoc;
  services: ServiceDoc[];
  migrations: MigrationDoc[];
  scheduledTasks: ScheduledTaskDoc[];
  aliases: AliasRecordDoc[];
  /** `${kind}/${name}` -> where the document starts */
  locations: Record<string, SourceLocation>;
}

/** A whole, valid spec set: every environment, and the files it was read from. */
export interface SpecSet {
  environments: EnvironmentSpecs[];
  files: { path: string; sha256: string; bytes: number }[];
}

export type LoadResult = { ok: true; specSet: SpecSet } | { ok: false; problems: SpecProblem[] };

export interface LoadOptions {
  /** Largest spec file accepted, in bytes; default {@link DEFAULT_MAX_FILE_BYTES}. */
  maxFileBytes?: number;
  /**
   * Accept an empty set, and files holding no document (`--allow-empty`). Without it they are
   * refused: an empty or truncated source must never quietly stop reconciling.
   */
  allowEmpty?: boolean;
  /** How problems about the whole set name it (`specs/`); default `the spec set`. */
  label?: string;
}

export { DEFAULT_MAX_FILE_BYTES, MAX_SPEC_FILES, MAX_SPEC_SET_BYTES } from './limits.js';

/**
 * Validates a set of spec files held in memory. Pure and synchronous: the S3 source and the
 * tests use it directly; {@link loadSpecPaths} reads files and calls it.
 *
 * @example
 * const result = parseSpecFiles([{ path: 'specs/shop/api.yaml', content: yamlText }]);
 * if (!result.ok) for (const p of result.problems) console.error(formatProblem(p));
 */
export function parseSpecFiles(files: SpecFile[], options: LoadOptions = {}): LoadResult {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const label = options.label ?? DEFAULT_SET_LABEL;
  const problems: SpecProblem[] = [];
  const docs: LoadedDoc[] = [];
  const infos: SpecSet['files'] = [];
  const counted: { path: string; documents: number }[] = [];

  const contents = files.map((f) => ({ path: f.path, bytes: typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content }));
  const tooMuch = setSizeProblems(contents.map((c) => ({ bytes: c.bytes.length })), label);
  if (tooMuch.length > 0) return { ok: false, problems: tooMuch };
  for (const { path: file, bytes } of contents) {
    infos.push({ path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    if (bytes.length > maxFileBytes) {
      problems.push(tooLarge(file, bytes.length, maxFileBytes));
      continue;
    }
    const text = decodeUtf8(file, bytes, problems);
    if (text === undefined) continue;
    const read = readDocuments(file, text, problems);
    docs.push(...read.docs);
    counted.push({ path: file, documents: read.documents });
  }
  if (!options.allowEmpty) {
    // A file that could not be read may well hold documents: "the set is empty" only when none could not.
    const before = problems.length;
    problems.push(...emptinessProblems(counted, label).filter((p) => p.line > 0 || before === 0));
  }
  problems.push(...checkSpecSet(docs));

  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, specSet: { environments: groupByEnvironment(docs), files: infos.sort((a, b) => compare(a.path, b.path)) } };
}

/**
 * Reads spec files from disk and validates them as one set. A directory is searched
 * recursively for `*.yaml` and `*.yml` files, in sorted order; entries whose names start with a
 * dot are skipped, and symbolic links to directories are not followed. A file named explicitly is
 * read whatever its extension. Sizes are checked before anything is read.
 *
 * @example
 * const result = await loadSpecPaths(['specs/']);
 */
export async function loadSpecPaths(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const label = options.label ?? paths.join(', ');
  const problems: SpecProblem[] = [];
  const names: string[] = [];
  for (const given of paths) {
    try {
      const info = await stat(given);
      names.push(...(info.isDirectory() ? (await listYamlFiles(given)).sort(compare) : [given]));
    } catch (err) {
      problems.push(unreadable(given, err));
    }
  }
  // Before anything is read: a folder of 100,000 files is refused for its count alone.
  if (names.length > MAX_SPEC_FILES) return { ok: false, problems: setSizeProblems(names.map(() => ({ bytes: 0 })), label) };

  const seen = new Set<string>();
  const files: SpecFile[] = [];
  for (const name of names) {
    const resolved = path.resolve(name);
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    try {
      const { size } = await stat(name);
      if (size > maxFileBytes) problems.push(tooLarge(name, size, maxFileBytes));
      else files.push({ path: name, content: await readFile(name) });
    } catch (err) {
      problems.push(unreadable(name, err));
    }
  }

  const result = parseSpecFiles(files, { ...options, maxFileBytes, label });
  if (problems.length === 0) return result;
  // A path that could not be read, or a file too large to read, is the problem; not "the set is empty".
  const more = result.ok ? [] : result.problems.filter((p) => p.line > 0);
  return { ok: false, problems: sortProblems([...problems, ...more]) };
}

/**
 * One line per problem, as editors and CI annotations understand it.
 *
 * @example
 * formatProblem(p) // 'specs/saburo/api.yaml:14:9 spec.taskDefinition.containers[0].image: expected a string'
 */
export function formatProblem(p: SpecProblem): string {
  return `${problemLocation(p)} ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** `3 problems in 2 files`; problems about the whole set are in no file. */
export function problemCount(problems: SpecProblem[]): string {
  const files = new Set(problems.filter((p) => p.line > 0).map((p) => p.file)).size;
  const n = problems.length;
  return `${n} problem${n === 1 ? '' : 's'}${files > 0 ? ` in ${files} file${files === 1 ? '' : 's'}` : ''}`;
}

/** `file:line:column`, or `label:` for a problem about the whole set (line 0). */
export function problemLocation(p: SourceLocation): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.column}` : `${p.file}:`;
}

// ---------------------------------------------------------------------------------------------
// Files

async function listYamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listYamlFiles(full)));
    // A symbolic link is followed; one that leads nowhere is listed, so that reading it reports it, at its own path.
    else if (/\.ya?ml$/i.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isDirectory() !== true))) out.push(full);
  }
  return out;
}

function unreadable(file: string, err: unknown): SpecProblem {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'ELOOP' ? 'a loop of symbolic links' : (err as Error).message;
  return { file, line: 1, column: 1, path: '', message: `cannot read: ${why}${danglingLink(file)}` };
}

/** `(a symbolic link to X, which does not exist)`, for a link that leads nowhere. */
function danglingLink(file: string): string {
  try {
    if (!lstatSync(file).isSymbolicLink()) return '';
    return ` (a symbolic link to ${readlinkSync(file)}, which does not exist)`;
  } catch {
    return '';
  }
}

function tooLarge(file: string, bytes: number, limit: number): SpecProblem {
  return { file, line: 1, column: 1, path: '', message: `file is ${bytes} bytes, over the ${formatLimit(limit)} limit for a spec file` };
}

/** The text of a file, or undefined (and a problem at the first bad byte) when it is not UTF-8. */
function decodeUtf8(file: string, bytes: Uint8Array, problems: SpecProblem[]): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // The longest prefix that is valid UTF-8, allowing a sequence cut off at its end, ends at
    // or just after the start of the first bad sequence; validity of prefixes is monotone, so a
    // binary search finds it. Then step back over the unfinished sequence (at most 3 bytes).
    let lo = 0;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    while (lo > 0 && !isUtf8(bytes.subarray(0, lo))) lo--;
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, lo));
    const lines = before.split('\n');
    problems.push({ file, line: lines.length, column: lines[lines.length - 1].length + 1, path: '', message: 'file is not valid UTF-8; spec files must be UTF-8' });
    return undefined;
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Documents

/** The file's documents, and how many it holds that are not empty (comments only, or nothing). */
function readDocuments(file: string, text: string, problems: SpecProblem[]): { docs: LoadedDoc[]; documents: number } {
  const lineCounter = new LineCounter();
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const problem = (offset: number, fieldPath: string, message: string) => problems.push({ ...at(offset), path: fieldPath, message });

  // parseAllDocuments in two steps, so that the syntax tree can be measured before the
  // recursive composer (and walk() below) sees it: a deeply nested file would exhaust the stack
  // or the heap otherwise.
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = deeperThan(tokens, MAX_NESTING);
  if (tooDeep !== undefined) {
    problem(tooDeep, '', `YAML nested deeper than ${MAX_NESTING} levels is not allowed in a spec file`);
    return { docs: [], documents: 1 };
  }
  // uniqueKeys off: duplicate keys are found by walk() below, which can name the key and its path.
  const yamlDocs = [...new Composer({ uniqueKeys: false }).compose(tokens)];
  // `---` alone, `~`, comments only: documents that say nothing (toData below skips them too).
  const documents = yamlDocs.filter((d) => d.errors.length > 0 || !(d.contents === null || (isScalar(d.contents) && d.contents.value === null))).length;

  // A file that is not YAML at all (a README, a script) has an error on every other line: say the
  // first, count the rest, and read nothing more of the documents it breaks.
  const syntax = yamlDocs.flatMap((d) => d.errors);
  if (syntax.length > 0) {
    const more = syntax.length > 1 ? ` (and ${syntax.length - 1} more YAML error${syntax.length === 2 ? '' : 's'} in this file${syntax.length > 5 ? ': is it a YAML file?' : ''})` : '';
    problem(syntax[0].pos[0], '', `${yamlMessage(syntax[0].message)}${more}`);
    // Past a few errors it is not a spec with a typo: what parsed of it is no spec either.
    if (syntax.length > 5) return { docs: [], documents: 1 };
  }

  const loaded: LoadedDoc[] = [];
  for (const yamlDoc of yamlDocs) {
    if (yamlDoc.errors.length > 0) continue;
    const before = problems.length;
    for (const e of yamlDoc.warnings) problem(e.pos[0], '', yamlMessage(e.message));
    const aliases: { offset: number; path: string; token: string }[] = [];
    walk(yamlDoc.contents, [], (offset, fieldPath, message) => problem(offset, fieldPath, message), aliases);
    // Secrets in any field, before the schema speaks: its message for the same value would be weaker.
    const secretsAt = new Set<string>();
    scanSecrets(yamlDoc.contents, [], (offset, fieldPath, message) => {
      const where = at(offset);
      secretsAt.add(`${where.line}:${where.column}`);
      problems.push({ ...where, path: fieldPath, message });
    });
    if (aliases.length > 0) {
      // One problem per document: a billion-laughs file has dozens, and one says it all.
      const [first] = aliases;
      const more = aliases.length > 1 ? ` (${aliases.length - 1} more in this document)` : '';
      const offset = first.token.startsWith('&') ? Math.max(0, text.lastIndexOf(first.token, first.offset)) : first.offset;
      problem(offset, first.path, `YAML ${first.token.startsWith('&') ? 'anchor' : 'alias'} ${first.token} is not allowed: spec files may not use anchors and aliases${more}`);
    }
    const start = at(yamlDoc.contents?.range[0] ?? 0);
    const locate = (p: ReadonlyArray<PropertyKey>, key = false): SourceLocation => at(offsetOf(yamlDoc, p, key));

    if (problems.length > before) {
      // Still note what the document is, so that other documents' references to it do not add
      // "no such resource" noise to the real problem.
      const raw = yamlDoc.errors.length === 0 && !hasCollectionKey(yamlDoc.contents) ? toData(yamlDoc) : undefined;
      const kind = KINDS.find((k) => k === (raw as { kind?: unknown } | undefined)?.kind);
      if (kind) loaded.push({ kind, ...identity(kind, raw), start, locate });
      continue;
    }

    const raw = toData(yamlDoc);
    if (raw === null || raw === undefined) continue; // an empty document (`---` and nothing, or comments only)
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ ...start, path: '', message: 'expected a mapping with apiVersion, kind, metadata and spec' });
      continue;
    }
    const kind = checkHeader(raw as Record<string, unknown>, locate, problems);
    if (!kind) continue;

    const result = SCHEMAS[kind].safeParse(raw, { error: specErrorMap });
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(...issueProblems(issue, locate).filter((p) => !secretsAt.has(`${p.line}:${p.column}`)));
    }
    loaded.push({ kind, ...identity(kind, raw), doc: result.success ? (result.data as SpecDoc) : undefined, start, locate });
  }
  return { docs: loaded, documents };
}

/** Far deeper than any spec (a container's health-check command is 6 levels down). */
const MAX_NESTING = 50;

/** The offset of the first collection nested deeper than `limit`, if any; iterative, never recursive. */
function deeperThan(tokens: CST.Token[], limit: number): number | undefined {
  for (const token of tokens) {
    if (token.type !== 'document') continue;
    const stack: [CST.Token | undefined, number][] = [[token.value, 0]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop() as [CST.Token | undefined, number];
      if (!node || !('items' in node) || !Array.isArray(node.items)) continue;
      if (depth >= limit) return node.offset;
      for (const item of node.items as CST.CollectionItem[]) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/** The document as data; aliases are never resolved (walk() has refused them already). */
function toData(yamlDoc: Document.Parsed): unknown {
  try {
    return yamlDoc.toJS({ maxAliasCount: 0 });
  } catch {
    return undefined;
  }
}

/** Name and environment as written, even in a document that is otherwise invalid. */
function identity(kind: Kind, raw: unknown): { name?: string; environment?: string } {
  const metadata = (raw as { metadata?: { name?: unknown; environment?: unknown } } | undefined)?.metadata;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const environment = kind === 'Environment' ? name : typeof metadata?.environment === 'string' ? metadata.environment : undefined;
  return { name, environment };
}

/** yaml's messages start with a capital and sometimes end with a period; ours do neither. */
function yamlMessage(message: string): string {
  const m = message.replace(/\.$/, '');
  return `invalid YAML: ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
}

/**
 * Walks the YAML tree before it is turned into data: collects anchors and aliases (never
 * expanded, so a billion-laughs file is refused in linear time) and reports duplicate keys.
 */
function walk(
  node: unknown,
  at: (string | number)[],
  report: (offset: number, path: string, message: string) => void,
  aliases: { offset: number; path: string; token: string }[],
): void {
  if (isAlias(node)) {
    aliases.push({ offset: node.range?.[0] ?? 0, path: formatPath(at), token: `*${node.source}` });
    return;
  }
  if (isNode(node) && node.anchor) aliases.push({ offset: node.range?.[0] ?? 0, path: formatPath(at), token: `&${node.anchor}` });
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (isMap(pair.key) || isSeq(pair.key)) {
        // `? [a, b]`: JavaScript would turn it into the string "a,b" (and Node warn, nowhere in particular).
        report(pair.key.range?.[0] ?? 0, formatPath(at), `a ${isMap(pair.key) ? 'mapping' : 'list'} as a key is not allowed: keys are plain strings`);
        continue;
      }
      walk(pair.key, at, report, aliases);
      const key = keyString(pair.key);
      if (key === '__proto__') {
        // A JavaScript object cannot hold this key: it would vanish without a word.
        report(isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0, formatPath(at), 'a key named "__proto__" is not allowed (it would be dropped silently); rename it');
        continue;
      }
      if (seen.has(key)) report(isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0, formatPath([...at, key]), `duplicate key ${quote(key)}`);
      seen.add(key);
      walk(pair.value, [...at, key], report, aliases);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, [...at, i], report, aliases));
  }
}

/** True when a mapping somewhere holds a list or mapping as a key (iterative). */
function hasCollectionKey(root: unknown): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMap(pair.key) || isSeq(pair.key)) return true;
        stack.push(pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
  return false;
}

function keyString(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/**
 * Where a field is in the file. Falls back to the nearest parent that exists (a missing field is
 * reported at the mapping that lacks it). With `key`, points at the last key itself rather than
 * its value (unknown fields, invalid keys); an empty value (`image:`) is reported at its key too.
 */
function offsetOf(doc: Document.Parsed, fieldPath: ReadonlyArray<PropertyKey>, key: boolean): number {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range[0] ?? 0;
  for (const [i, segment] of fieldPath.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => keyString(p.key) === String(segment));
      if (!pair || !isPair(pair)) break;
      const keyOffset = isNode(pair.key) ? (pair.key.range?.[0] ?? offset) : offset;
      const value = pair.value;
      const empty = !isNode(value) || (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
      if ((key && i === fieldPath.length - 1) || empty) return keyOffset;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
    } else {
      break;
    }
    offset = isNode(node) ? (node.range?.[0] ?? offset) : offset;
  }
  return offset;
}

/** apiVersion and kind, checked first: without them there is no schema to check the rest against. */
function checkHeader(
  fields: Record<string, unknown>,
  locate: (p: ReadonlyArray<PropertyKey>) => SourceLocation,
  problems: SpecProblem[],
): Kind | undefined {
  const before = problems.length;
  const { apiVersion, kind } = fields;
  if (apiVersion !== API_VERSION) {
    const message =
      apiVersion === undefined
        ? `missing required field, expected ${API_VERSION}`
        : typeof apiVersion === 'string'
          ? `unknown apiVersion ${quote(apiVersion)}, expected ${API_VERSION}`
          : `expected ${API_VERSION}`;
    problems.push({ ...locate(['apiVersion']), path: 'apiVersion', message });
  }
  if (!KINDS.includes(kind as Kind)) {
    const kinds = `expected one of: ${KINDS.join(', ')}`;
    let message = kind === undefined ? `missing required field, ${kinds}` : kinds;
    if (typeof kind === 'string') {
      const guess = suggest(kind, KINDS);
      message = `unknown kind ${quote(kind)}${guess ? ` (did you mean ${quote(guess)}?)` : ''}, ${kinds}`;
    }
    problems.push({ ...locate(['kind']), path: 'kind', message });
  }
  return problems.length === before ? (kind as Kind) : undefined;
}

/** One zod issue as problems: one per unknown key, one otherwise. */
function issueProblems(
  issue: { code: string; path: PropertyKey[]; message: string; keys?: string[] },
  locate: (p: ReadonlyArray<PropertyKey>, key?: boolean) => SourceLocation,
): SpecProblem[] {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    // specErrorMap wrote one line per key, in the order of issue.keys.
    const lines = issue.message.split('\n');
    return issue.keys.map((key, i) => ({
      ...locate([...issue.path, key], true),
      path: formatPath([...issue.path, key]),
      message: lines[i] ?? `unknown field ${quote(key)}`,
    }));
  }
  if (issue.code === 'invalid_key') {
    // Point at the key but do not print it: a key that is not a variable name may well be a
    // pasted secret (`secrets: { "postgres://user:password@db": ... }`).
    return [{ ...locate(issue.path, true), path: formatPath(issue.path.slice(0, -1)), message: `invalid key: ${issue.message}` }];
  }
  return [{ ...locate(issue.path), path: formatPath(issue.path), message: issue.message }];
}

// ---------------------------------------------------------------------------------------------
// The set

function groupByEnvironment(docs: LoadedDoc[]): EnvironmentSpecs[] {
  const byName = new Map<string, EnvironmentSpecs>();
  for (const d of docs) {
    if (d.doc?.kind !== 'Environment') continue;
    byName.set(d.doc.metadata.name, { name: d.doc.metadata.name, environment: d.doc, services: [], migrations: [], scheduledTasks: [], aliases: [], locations: {} });
  }
  for (const d of docs) {
    if (!d.doc || !d.environment) continue;
    const env = byName.get(d.environment);
    if (!env) continue; // cannot happen: checkSpecSet reports it and then there is no SpecSet
    env.locations[`${d.kind}/${d.doc.metadata.name}`] = d.start;
    if (d.doc.kind === 'Service') env.services.push(d.doc);
    else if (d.doc.kind === 'Migration') env.migrations.push(d.doc);
    else if (d.doc.kind === 'ScheduledTask') env.scheduledTasks.push(d.doc);
    else if (d.doc.kind === 'AliasRecord') env.aliases.push(d.doc);
  }
  const byMetadataName = (a: { metadata: { name: string } }, b: { metadata: { name: string } }) => compare(a.metadata.name, b.metadata.name);
  return [...byName.values()]
    .sort((a, b) => compare(a.name, b.name))
    .map((env) => ({
      ...env,
      services: env.services.sort(byMetadataName),
      migrations: env.migrations.sort(byMetadataName),
      scheduledTasks: env.scheduledTasks.sort(byMetadataName),
      aliases: env.aliases.sort(byMetadataName),
    }));
}

/** By file, line and column; the same problem twice (yaml can repeat itself) is shown once. */
function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => compare(a.p.file, b.p.file) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p)
    .filter((p) => {
      const line = formatProblem(p);
      if (seen.has(line)) return false;
      seen.add(line);
      return true;
    });
}

/** Code-unit order, so that sorting never depends on the machine's locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
