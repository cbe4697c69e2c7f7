/**
 * Bases and overlays: one set of documents, instantiated per environment. A **base** is a folder
 * of documents that name no environment; an **Overlay** names the environment it renders, its
 * base (a folder relative to the overlay's file) and patches (`patch.ts`). Rendering gives every
 * document of the base the overlay's environment, applies the patches in order, and yields
 * documents that are then checked exactly like documents written by hand, each value still knowing
 * where it was written ({@link Sourced}).
 *
 * Deliberately not here: overlays of overlays, loops, conditionals, variables or any string
 * templating, generators, and files outside the spec set. What an environment runs is always
 * readable as plain YAML: the base, and the few values its overlay changes.
 */
import path from 'node:path';
import { quote, suggest } from './messages.js';
import type { OverlayDoc } from './overlay-schema.js';
import { applyJsonPatch, mergePatch, type PatchContext, type PatchReport } from './patch.js';
import type { Kind } from './schema.js';
import { sourced, type Sourced, type WrittenDoc } from './sourced.js';
import type { SourceLocation } from './load.js';

/** An Overlay document as read from its file (valid against its schema). */
export interface WrittenOverlay {
  doc: WrittenDoc;
  start: SourceLocation;
  overlay: OverlayDoc;
}

/** A document that names no environment: part of a base, if an overlay names its folder. */
export interface WrittenBaseDoc {
  doc: WrittenDoc;
  start: SourceLocation;
  kind: Kind;
  raw: Record<string, unknown>;
}

/** One document of an environment, as an overlay rendered it. */
export interface RenderedDoc {
  kind: Kind;
  name?: string;
  environment: string;
  root: Sourced;
  /** Where the base document starts. */
  start: SourceLocation;
}

/** The folder an overlay's `base` names, `/`-separated like the paths of a spec set. */
export function baseFolder(overlayFile: string, base: string): string {
  const posix = overlayFile.split(path.sep).join('/');
  return path.posix.normalize(path.posix.join(path.posix.dirname(posix), base)).replace(/\/$/, '');
}

/** Whether `file` is in `folder` or below it. */
export function inFolder(file: string, folder: string): boolean {
  const posix = file.split(path.sep).join('/');
  return folder === '.' ? !posix.startsWith('../') && !posix.startsWith('/') : posix.startsWith(`${folder}/`);
}

/** Whether a document names no environment: an Environment without a name, any other kind without metadata.environment. */
export function namesNoEnvironment(kind: Kind, raw: Record<string, unknown>): boolean {
  const metadata = raw.metadata as Record<string, unknown> | undefined;
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) return false;
  return kind === 'Environment' ? metadata?.name === undefined : metadata?.environment === undefined;
}

/**
 * Renders one overlay over the documents of its base: a copy of each, given the overlay's
 * environment, then the patches in order. Problems in the patches are reported at the overlay's
 * path (`report`). Pure: the base documents are not changed.
 *
 * @example
 * const docs = renderOverlay(staging, baseDocs, (at, message) => problems.push({ ...staging.doc.locate(at), path: formatPath(at), message }));
 */
export function renderOverlay(o: WrittenOverlay, base: WrittenBaseDoc[], report: PatchReport): RenderedDoc[] {
  const environment = o.overlay.metadata.name;
  const docs: RenderedDoc[] = base.map((b) => {
    const root = sourced(b.raw, b.doc, []);
    giveEnvironment(root, b.kind, environment, o.doc);
    return { kind: b.kind, name: b.kind === 'Environment' ? environment : nameIn(b.raw), environment, root, start: b.start };
  });
  o.overlay.spec.patches.forEach((p, i) => {
    const at: PropertyKey[] = ['spec', 'patches', i];
    const [kind, name] = p.target.split('/') as [Kind, string | undefined];
    const target = docs.find((d) => d.kind === kind && (kind === 'Environment' || d.name === name));
    if (!target) {
      report([...at, 'target'], missingTarget(kind, name, docs, o.overlay.spec.base));
      return;
    }
    const ctx: PatchContext = { overlay: o.doc, environment, report, what: kind === 'Environment' ? `the Environment of the base` : `${kind} ${name}` };
    if (p.merge) {
      const merge = withoutIdentity(p.merge, [...at, 'merge'], report);
      mergePatch(target.root, sourced(merge, o.doc, [...at, 'merge'], environment), [...at, 'merge'], ctx);
    }
    p.jsonPatch?.forEach((op, j) => {
      const opAt = [...at, 'jsonPatch', j];
      if (IDENTITY_POINTERS.has(op.path)) report([...opAt, 'path'], IDENTITY_MESSAGE);
      else applyJsonPatch(target.root, op, opAt, ctx);
    });
  });
  return docs;
}

const IDENTITY_MESSAGE = 'an overlay does not change what a document is (apiVersion, kind, metadata.name, metadata.environment); the overlay names the environment';
const IDENTITY_POINTERS = new Set(['/apiVersion', '/kind', '/metadata', '/metadata/name', '/metadata/environment']);

/** The merge patch without the fields that say what a document is; each one is a problem. */
function withoutIdentity(merge: Record<string, unknown>, at: PropertyKey[], report: PatchReport): Record<string, unknown> {
  const out = { ...merge };
  for (const key of ['apiVersion', 'kind']) {
    if (key in out) {
      report([...at, key], IDENTITY_MESSAGE);
      delete out[key];
    }
  }
  const metadata = out.metadata;
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
    const rest = { ...(metadata as Record<string, unknown>) };
    for (const key of ['name', 'environment']) {
      if (key in rest) {
        report([...at, 'metadata', key], IDENTITY_MESSAGE);
        delete rest[key];
      }
    }
    out.metadata = rest;
  }
  return out;
}

/** metadata.environment (metadata.name of an Environment) := the overlay's name, written where the overlay says it. */
function giveEnvironment(root: Sourced, kind: Kind, environment: string, overlay: WrittenDoc): void {
  if (root.type !== 'map') return;
  let metadata = root.entries.get('metadata');
  if (metadata === undefined) {
    metadata = sourced({}, overlay, ['metadata'], environment);
    root.entries.set('metadata', metadata);
  }
  if (metadata.type !== 'map') return;
  metadata.entries.set(kind === 'Environment' ? 'name' : 'environment', sourced(environment, overlay, ['metadata', 'name'], environment));
}

function nameIn(raw: Record<string, unknown>): string | undefined {
  const name = (raw.metadata as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

function missingTarget(kind: Kind, name: string | undefined, docs: RenderedDoc[], base: string): string {
  if (kind === 'Environment') {
    return `the base ${base} has no Environment to patch; put one without a name in the base, or write the whole Environment of this overlay beside it`;
  }
  const names = docs.filter((d) => d.kind === kind && d.name !== undefined).map((d) => d.name as string);
  const guess = suggest(name ?? '', names);
  return `no ${kind} named ${quote(name ?? '')} in the base ${base} (it has: ${names.join(', ') || 'none'})${guess ? ` (did you mean ${quote(guess)}?)` : ''}`;
}
