/**
 * The documents of a spec set as YAML, as `steady render` prints them: each document headed by
 * where it came from, and every value an overlay wrote commented with the overlay's file and line
 * (`desiredCount: 1 # from specs/shop/staging/overlay.yaml:23`), every field it removed named on
 * the field that held it. The output is itself a spec set written whole: it loads to the same
 * environments.
 */
import { Document, isCollection, isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { SourceLocation, SpecDocument } from './load.js';
import { changesIn } from './sourced.js';

/**
 * One YAML stream of the documents, in their order.
 *
 * @example
 * const { result, documents } = await renderSpecPaths(['specs/']);
 * if (result.ok) process.stdout.write(printDocuments(documents));
 */
export function printDocuments(documents: SpecDocument[]): string {
  return documents.map(printDocument).join('---\n');
}

function printDocument(d: SpecDocument): string {
  const doc = new Document(d.input);
  let header = `# ${d.kind}/${d.name} of ${d.environment}: ${at(d.start)}`;
  if (d.root) {
    const { changed, removed } = changesIn(d.root);
    const overlays = [...new Set([...changed.map((c) => c.at.file), ...removed.map((r) => r.removal.at.file)])];
    if (overlays.length > 0) header += `, patched by ${overlays.join(', ')}`;
    for (const c of changed) comment(doc, c.path, `from ${at(c.at)}`);
    for (const r of removed) comment(doc, r.path, `${r.removal.what} removed by ${at(r.removal.at)}`);
  }
  return `${header}\n${doc.toString({ lineWidth: 0 })}`;
}

/** `file:line` */
function at(p: SourceLocation): string {
  return `${p.file}:${p.line}`;
}

/** Puts `text` on the line of the value at `path`: after a scalar, after the key of a mapping or list, before a list item that is a mapping. */
function comment(doc: Document, path: PropertyKey[], text: string): void {
  if (path.length === 0) return;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1).map(toKey), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    if (pair) onPair(pair, text);
  } else if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last] as Node | undefined;
    if (isScalar(item) || (isCollection(item) && item.items.length === 0)) append(item, 'comment', text, true);
    else if (item) append(item, 'commentBefore', text);
  }
}

function onPair(pair: Pair, text: string): void {
  const value = pair.value as Node | null;
  if (isScalar(value)) append(value, 'comment', text);
  else if (isCollection(value) && value.items.length === 0) append(value, 'comment', text, true);
  else if (isScalar(pair.key)) append(pair.key, 'comment', text);
  else if (isPair(pair) && value) append(value, 'commentBefore', text);
}

function append(node: Node, field: 'comment' | 'commentBefore', text: string, flow = false): void {
  if (flow && isCollection(node)) node.flow = true;
  node[field] = node[field] ? `${node[field]}; ${text}` : ` ${text}`;
}

function toKey(segment: PropertyKey): string | number {
  return typeof segment === 'number' ? segment : String(segment);
}
