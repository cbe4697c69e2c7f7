/**
 * Where bases and overlays meet the loader: which documents that name no environment belong to
 * which Overlay's base, the rendering of each overlay (`render.ts`), and the checks of the rendered
 * documents, which are the same as for documents written whole (secrets, the kind's schema; the
 * set-level checks follow in `crossref.ts`). Every problem found through a rendering says which
 * environment it was rendering and points at the line where the offending value was written: the
 * base's, or the overlay's.
 */
import type { LoadedDoc } from './crossref.js';
import type { SourceLocation, SpecProblem } from './load.js';
import { formatPath, quote } from './messages.js';
import type { OverlayDoc } from './overlay-schema.js';
import { baseFolder, inFolder, renderOverlay, type RenderedDoc, type WrittenBaseDoc } from './render.js';
import type { Kind, SpecDoc } from './schema.js';
import { locateIn, plain, type WrittenDoc } from './sourced.js';

/** An Overlay as read: valid (`overlay`), or only its name and base as written. */
export interface OverlayRead {
  doc: WrittenDoc;
  start: SourceLocation;
  overlay?: OverlayDoc;
  name?: string;
  base?: string;
}

/** Finds the secrets in a rendered document that were not found as written; `locate` turns a field path into where it was written. */
export type SecretFinder = (data: unknown, locate: (path: ReadonlyArray<PropertyKey>) => SourceLocation) => SpecProblem[];

/** Checks a document against its kind's schema (the loader's own check), keeping only problems at `keep` locations. */
export type DocumentCheck = (
  kind: Kind,
  raw: unknown,
  locate: (path: ReadonlyArray<PropertyKey>, key?: boolean) => SourceLocation,
  keep: (p: SourceLocation) => boolean,
) => { doc?: SpecDoc; problems: SpecProblem[] };

export interface Layers {
  overlays: OverlayRead[];
  /** Documents that name no environment (`broken` when they had problems as written). */
  candidates: (WrittenBaseDoc & { broken?: boolean })[];
  /** Documents written whole: one in a base's folder is a mistake worth saying. */
  flat: LoadedDoc[];
  problems: SpecProblem[];
  check: DocumentCheck;
  secrets: SecretFinder;
  /** False for a location where a secret was reported already (a weaker schema message there is dropped). */
  notSecret: (p: SourceLocation) => boolean;
}

/**
 * Renders every overlay and checks what it renders; returns the documents for the set-level
 * checks. A document that names no environment and is in no overlay's base is checked as it is
 * (and is told it needs an environment).
 */
export function renderLayers(layers: Layers): LoadedDoc[] {
  const { overlays, candidates, problems } = layers;
  const out: LoadedDoc[] = [];
  const bases = overlays.filter((o) => o.base !== undefined).map((o) => ({ o, folder: baseFolder(o.doc.file, o.base as string) }));
  const duplicates = checkOverlayNames(overlays, problems);

  for (const c of candidates) {
    if (bases.some((b) => inFolder(c.doc.file, b.folder))) continue;
    const checked = c.broken ? { problems: [] } : layers.check(c.kind, c.raw, c.doc.locate, layers.notSecret);
    problems.push(...checked.problems);
    out.push({ kind: c.kind, name: nameOf(c.raw), doc: checked.doc, start: c.start, locate: c.doc.locate, input: c.raw });
  }
  for (const d of layers.flat) {
    const base = bases.find((b) => inFolder(d.start.file, b.folder));
    if (!base) continue;
    const field = d.kind === 'Environment' ? ['metadata', 'name'] : ['metadata', 'environment'];
    problems.push({
      ...d.locate(field),
      path: formatPath(field),
      message: `a document of a base names no environment (the overlay gives it one): ${base.folder} is the base of Overlay ${quote(base.o.name ?? '')} at ${where(base.o.start)}`,
    });
  }
  for (const { o, folder } of bases) {
    if (duplicates.has(o)) continue;
    const base = candidates.filter((c) => inFolder(c.doc.file, folder));
    if (o.overlay) out.push(...renderOne(o as OverlayRead & { overlay: OverlayDoc }, folder, base, layers));
    else if (o.name !== undefined) {
      for (const c of base) out.push({ kind: c.kind, name: c.kind === 'Environment' ? o.name : nameOf(c.raw), environment: o.name, start: c.start, locate: c.doc.locate });
    }
  }
  return out;
}

/** One overlay, rendered and checked; only identities (for the set-level checks) when a patch failed. */
function renderOne(o: OverlayRead & { overlay: OverlayDoc }, folder: string, base: Layers['candidates'], layers: Layers): LoadedDoc[] {
  const environment = o.overlay.metadata.name;
  const rendering = [environment];
  if (base.length === 0) {
    layers.problems.push({
      ...o.doc.locate(['spec', 'base']),
      path: 'spec.base',
      message: `no documents of a base in ${folder}: a base is a folder of documents that name no environment, and it must be part of the spec set given (give the folder holding both the overlay and its base)`,
      rendering,
    });
    return [];
  }
  const before = layers.problems.length;
  const rendered = renderOverlay(o, base, (at, message) => layers.problems.push({ ...o.doc.locate(at), path: formatPath(at), message, rendering }));
  const patched = layers.problems.length === before;
  return rendered.map((r, i) => {
    const locate = (p: ReadonlyArray<PropertyKey>, key?: boolean): SourceLocation => ({ ...locateIn(r.root, p, key), rendering });
    const identity = { kind: r.kind, name: r.name, environment, start: r.start, locate };
    if (!patched || base[i].broken) return identity;
    return { ...identity, ...checkRendered(r, locate, layers) };
  });
}

/** Secrets first (as for a written document), then the kind's schema, on the rendered document. */
function checkRendered(r: RenderedDoc, locate: (p: ReadonlyArray<PropertyKey>, key?: boolean) => SourceLocation, layers: Layers): Partial<LoadedDoc> {
  const input = plain(r.root);
  const secrets = layers.secrets(input, locate);
  layers.problems.push(...secrets);
  const checked = layers.check(r.kind, input, locate, layers.notSecret);
  layers.problems.push(...checked.problems);
  return { doc: checked.doc, input, root: r.root };
}

/**
 * Two overlays rendering one environment would be two Environments of that name, or every resource
 * twice: the second is a problem, and is not rendered. Returns the duplicates.
 */
function checkOverlayNames(overlays: OverlayRead[], problems: SpecProblem[]): Set<OverlayRead> {
  const first = new Map<string, OverlayRead>();
  const duplicates = new Set<OverlayRead>();
  for (const o of overlays) {
    if (o.name === undefined) continue;
    const seen = first.get(o.name);
    if (!seen) {
      first.set(o.name, o);
      continue;
    }
    problems.push({ ...o.doc.locate(['metadata', 'name']), path: 'metadata.name', message: `duplicate Overlay ${quote(o.name)}, first defined at ${where(seen.start)}` });
    duplicates.add(o);
  }
  return duplicates;
}

function nameOf(raw: Record<string, unknown>): string | undefined {
  const name = (raw.metadata as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

function where(p: SourceLocation): string {
  return `${p.file}:${p.line}:${p.column}`;
}
