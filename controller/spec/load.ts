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
import { Composer, Document as YamlDocument, isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, Parser, type CST, type Document } from 'yaml';
import { checkSpecSet, type LoadedDoc } from './crossref.js';
import { renderLayers, type Layers, type OverlayRead, type SecretFinder } from './layers.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_SET_LABEL, emptinessProblems, formatLimit, MAX_SPEC_FILES, setSizeProblems } from './limits.js';
import { formatPath, quote, specErrorMap, suggest } from './messages.js';
import { OVERLAY_KIND, overlaySchema } from './overlay-schema.js';
import { namesNoEnvironment } from './render.js';
import { scanSecrets } from './secrets.js';
import type { Sourced } from './sourced.js';
import {
  API_VERSION,
  KINDS,
  SCHEMAS,
  type AliasRecordDoc,
  type EnvironmentDoc,
  type Kind,
  type MigrationDoc,
  type MaintenanceDoc,
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
  /** Reached through the rendering of these environments' overlays (a base's value, an overlay's patch). */
  rendering?: string[];
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
  maintenance: MaintenanceDoc[];
  /** `${kind}/${name}` -> where the document starts */
  locations: Record<string, SourceLocation>;
}

/** A whole, valid spec set: every environment, and the files it was read from. */
export interface SpecSet {
  environments: EnvironmentSpecs[];
  files: { path: string; sha256: string; bytes: number }[];
}

export type LoadResult = { ok: true; specSet: SpecSet } | { ok: false; problems: SpecProblem[] };

/** One valid document of a spec set before defaults: as written, or as an overlay rendered it. */
export interface SpecDocument {
  environment: string;
  kind: Kind;
  name: string;
  /** The document as data, before defaults are filled in. */
  input: unknown;
  /** Where it starts (the base document's start, for a rendered one). */
  start: SourceLocation;
  /** For a rendered document: every value with where it was written ({@link changesIn}). */
  root?: Sourced;
}

/** A load, and the documents of the set as written or rendered (for `steady render`). */
export interface RenderResult {
  result: LoadResult;
  /** Every valid document, by environment, then kind (Environment first), then name; empty when the set is invalid. */
  documents: SpecDocument[];
}

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
  return renderSpecFiles(files, options).result;
}

/**
 * {@link parseSpecFiles}, and the documents of the set as written or as their overlays rendered
 * them, each rendered value with where it was written.
 *
 * @example
 * const { result, documents } = renderSpecFiles(files);
 */
export function renderSpecFiles(files: SpecFile[], options: LoadOptions = {}): RenderResult {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const label = options.label ?? DEFAULT_SET_LABEL;
  const problems: SpecProblem[] = [];
  const docs: LoadedDoc[] = [];
  const infos: SpecSet['files'] = [];
  const counted: { path: string; documents: number }[] = [];

  const contents = files.map((f) => ({ path: f.path, bytes: typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content }));
  const tooMuch = setSizeProblems(contents.map((c) => ({ bytes: c.bytes.length })), label);
  if (tooMuch.length > 0) return { result: { ok: false, problems: tooMuch }, documents: [] };
  const overlays: OverlayRead[] = [];
  const candidates: Layers['candidates'] = [];
  const secretsAt = new Set<string>();
  for (const { path: file, bytes } of contents) {
    infos.push({ path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    if (bytes.length > maxFileBytes) {
      problems.push(tooLarge(file, bytes.length, maxFileBytes));
      continue;
    }
    const text = decodeUtf8(file, bytes, problems);
    if (text === undefined) continue;
    const read = readDocuments(file, text, problems, secretsAt);
    docs.push(...read.docs);
    overlays.push(...read.overlays);
    candidates.push(...read.candidates);
    counted.push({ path: file, documents: read.documents });
  }
  const notSecret = (p: SourceLocation) => !secretsAt.has(locationKey(p));
  docs.push(...renderLayers({ overlays, candidates, flat: docs, problems, check: checkDocument, secrets: renderedSecrets(secretsAt), notSecret }));
  if (!options.allowEmpty) {
    // A file that could not be read may well hold documents: "the set is empty" only when none could not.
    const before = problems.length;
    problems.push(...emptinessProblems(counted, label).filter((p) => p.line > 0 || before === 0));
  }
  problems.push(...checkSpecSet(docs));

  if (problems.length > 0) return { result: { ok: false, problems: sortProblems(problems) }, documents: [] };
  const specSet = { environments: groupByEnvironment(docs), files: infos.sort((a, b) => compare(a.path, b.path)) };
  return { result: { ok: true, specSet }, documents: documentsOf(docs) };
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
  return (await renderSpecPaths(paths, options)).result;
}

/** {@link loadSpecPaths}, and the documents as written or rendered (see {@link renderSpecFiles}). */
export async function renderSpecPaths(paths: string[], options: LoadOptions = {}): Promise<RenderResult> {
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
  if (names.length > MAX_SPEC_FILES) return { result: { ok: false, problems: setSizeProblems(names.map(() => ({ bytes: 0 })), label) }, documents: [] };

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

  const rendered = renderSpecFiles(files, { ...options, maxFileBytes, label });
  if (problems.length === 0) return rendered;
  // A path that could not be read, or a file too large to read, is the problem; not "the set is empty".
  const more = rendered.result.ok ? [] : rendered.result.problems.filter((p) => p.line > 0);
  return { result: { ok: false, problems: sortProblems([...problems, ...more]) }, documents: [] };
}

/**
 * One line per problem, as editors and CI annotations understand it.
 *
 * @example
 * formatProblem(p) // 'specs/saburo/api.yaml:14:9 spec.taskDefinition.containers[0].image: expected a string'
 */
export function formatProblem(p: SpecProblem): string {
  return `${problemLocation(p)} ${p.path ? `${p.path}: ` : ''}${p.message}${renderingNote(p)}`;
}

/** ` (rendering shop-staging)`: which environments' overlays a problem was found through; `''` for a document written whole. */
export function renderingNote(p: SpecProblem): string {
  return p.rendering && p.rendering.length > 0 ? ` (rendering ${p.rendering.join(', ')})` : '';
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

/** What one file holds: documents written whole, Overlays, documents that name no environment (a base's). */
interface FileRead {
  docs: LoadedDoc[];
  overlays: OverlayRead[];
  candidates: Layers['candidates'];
  /** How many documents the file holds that are not empty (comments only, or nothing). */
  documents: number;
}

/** The file's documents; `secretsAt` collects `file:line:column` of every secret found as written. */
function readDocuments(file: string, text: string, problems: SpecProblem[], secretsAt: Set<string>): FileRead {
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
    return { docs: [], overlays: [], candidates: [], documents: 1 };
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
    if (syntax.length > 5) return { docs: [], overlays: [], candidates: [], documents: 1 };
  }

  const loaded: LoadedDoc[] = [];
  const overlays: OverlayRead[] = [];
  const candidates: Layers['candidates'] = [];
  for (const yamlDoc of yamlDocs) {
    if (yamlDoc.errors.length > 0) continue;
    const before = problems.length;
    for (const e of yamlDoc.warnings) problem(e.pos[0], '', yamlMessage(e.message));
    const aliases: { offset: number; path: string; token: string }[] = [];
    walk(yamlDoc.contents, [], (offset, fieldPath, message) => problem(offset, fieldPath, message), aliases);
    // Secrets in any field, before the schema speaks: its message for the same value would be weaker.
    scanSecrets(yamlDoc.contents, [], (offset, fieldPath, message) => {
      const where = at(offset);
      secretsAt.add(locationKey(where));
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
      if ((raw as { kind?: unknown } | undefined)?.kind === OVERLAY_KIND) overlays.push(overlayIdentity(raw, { file, locate }, start));
      else if (kind && isRecord(raw) && namesNoEnvironment(kind, raw)) candidates.push({ doc: { file, locate }, start, kind, raw, broken: true });
      else if (kind) loaded.push({ kind, ...identity(kind, raw), start, locate });
      continue;
    }

    const raw = toData(yamlDoc);
    if (raw === null || raw === undefined) continue; // an empty document (`---` and nothing, or comments only)
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ ...start, path: '', message: 'expected a mapping with apiVersion, kind, metadata and spec' });
      continue;
    }
    const fields = raw as Record<string, unknown>;
    const notSecret = (p: SourceLocation) => !secretsAt.has(locationKey(p));
    if (fields.kind === OVERLAY_KIND) {
      overlays.push(readOverlay(fields, { file, locate }, start, problems, notSecret));
      continue;
    }
    const kind = checkHeader(fields, locate, problems);
    if (!kind) continue;
    if (namesNoEnvironment(kind, fields)) {
      // Part of a base if an Overlay names its folder; checked once rendered (layers.ts).
      candidates.push({ doc: { file, locate }, start, kind, raw: fields });
      continue;
    }
    const checked = checkDocument(kind, fields, locate, notSecret);
    problems.push(...checked.problems);
    loaded.push({ kind, ...identity(kind, raw), doc: checked.doc, start, locate, input: raw });
  }
  return { docs: loaded, overlays, candidates, documents };
}

/** A document of a kind against its schema; problems at `keep` locations only (not where a secret was reported). */
function checkDocument(kind: Kind, raw: unknown, locate: Locate, keep: (p: SourceLocation) => boolean): { doc?: SpecDoc; problems: SpecProblem[] } {
  const result = SCHEMAS[kind].safeParse(raw, { error: specErrorMap });
  if (result.success) return { doc: result.data as SpecDoc, problems: [] };
  return { problems: result.error.issues.flatMap((issue) => issueProblems(issue, locate)).filter(keep) };
}

/** An Overlay document, checked against its schema; its name and base as written even when it is invalid. */
function readOverlay(fields: Record<string, unknown>, doc: OverlayRead['doc'], start: SourceLocation, problems: SpecProblem[], keep: (p: SourceLocation) => boolean): OverlayRead {
  const result = overlaySchema.safeParse(fields, { error: specErrorMap });
  if (result.success) return { doc, start, overlay: result.data, name: result.data.metadata.name, base: result.data.spec.base };
  problems.push(...result.error.issues.flatMap((issue) => issueProblems(issue, doc.locate)).filter(keep));
  return overlayIdentity(fields, doc, start);
}

function overlayIdentity(raw: unknown, doc: OverlayRead['doc'], start: SourceLocation): OverlayRead {
  const r = raw as { metadata?: { name?: unknown }; spec?: { base?: unknown } } | undefined;
  const name = typeof r?.metadata?.name === 'string' ? r.metadata.name : undefined;
  const base = typeof r?.spec?.base === 'string' ? r.spec.base : undefined;
  return { doc, start, name, base };
}

/** How secrets are found in a rendered document, and which of them were found as written already. */
function renderedSecrets(secretsAt: Set<string>): SecretFinder {
  return (data, locate) => {
    const found: SpecProblem[] = [];
    scanSecrets(new YamlDocument(data).contents, [], (_offset, fieldPath, message, at) => {
      const where = locate(at);
      if (secretsAt.has(locationKey(where))) return;
      secretsAt.add(locationKey(where));
      found.push({ ...where, path: fieldPath, message });
    });
    return found;
  };
}

type Locate = (p: ReadonlyArray<PropertyKey>, key?: boolean) => SourceLocation;

function locationKey(p: SourceLocation): string {
  return `${p.file}:${p.line}:${p.column}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
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
    const known = [...KINDS, OVERLAY_KIND];
    const kinds = `expected one of: ${known.join(', ')}`;
    let message = kind === undefined ? `missing required field, ${kinds}` : kinds;
    if (typeof kind === 'string') {
      const guess = suggest(kind, known);
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
    byName.set(d.doc.metadata.name, { name: d.doc.metadata.name, environment: d.doc, services: [], migrations: [], scheduledTasks: [], aliases: [], maintenance: [], locations: {} });
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
    else if (d.doc.kind === 'Maintenance') env.maintenance.push(d.doc);
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
      maintenance: env.maintenance.sort(byMetadataName),
    }));
}

/**
 * By file, line and column; the same problem twice (yaml can repeat itself) is shown once. A
 * problem of a base's value that every overlay rendering it meets is one problem, naming each
 * environment (`(rendering shop-prod, shop-staging)`).
 */
function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  const merged = new Map<string, SpecProblem>();
  for (const p of problems) {
    const key = formatProblem({ ...p, rendering: undefined });
    const first = merged.get(key);
    if (!first) merged.set(key, p.rendering ? { ...p, rendering: [...p.rendering] } : p);
    else if (first.rendering && p.rendering) first.rendering = [...new Set([...first.rendering, ...p.rendering])].sort(compare);
    else if (first.rendering) merged.set(key, { ...first, rendering: undefined });
  }
  return [...merged.values()]
    .map((p, i) => ({ p: p.rendering === undefined ? withoutRendering(p) : p, i }))
    .sort((a, b) => compare(a.p.file, b.p.file) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
}

function withoutRendering(p: SpecProblem): SpecProblem {
  const { rendering: _rendering, ...rest } = p;
  return rest;
}

/** The valid documents in the order a reader expects: by environment, the Environment first, then by kind and name. */
function documentsOf(docs: LoadedDoc[]): SpecDocument[] {
  const kindOrder = (k: Kind) => KINDS.indexOf(k);
  return docs
    .filter((d): d is LoadedDoc & { doc: SpecDoc; environment: string } => d.doc !== undefined && d.environment !== undefined)
    .map((d) => ({ environment: d.environment, kind: d.kind, name: d.doc.metadata.name, input: d.input, start: d.start, ...(d.root ? { root: d.root } : {}) }))
    .sort((a, b) => compare(a.environment, b.environment) || kindOrder(a.kind) - kindOrder(b.kind) || compare(a.name, b.name));
}

/** Code-unit order, so that sorting never depends on the machine's locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
