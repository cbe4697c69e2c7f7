/**
 * `steady import`'s YAML: a spec document with its comments (the `yaml` package's Document API keeps
 * them), one file per resource. Pure: `renderDoc` returns the text; the command writes it.
 */
import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ImportedDoc } from './specs.js';

const asComment = (lines: string[]) => lines.map((l) => ` ${l}`).join('\n');

/** Appends `text` to the comment above the node at `path` (a map key's comment when the node is a map value). */
function commentAbove(doc: Document, path: (string | number)[], text: string): void {
  const add = (node: { commentBefore?: string | null }) => {
    node.commentBefore = node.commentBefore ? `${node.commentBefore}\n ${text}` : ` ${text}`;
  };
  if (path.length === 0) {
    add(doc);
    return;
  }
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair && isScalar(pair.key)) return add(pair.key);
    // The field itself was left out: say it above the map's first key.
    const first = parent.items[0]?.key;
    if (isScalar(first)) return add(first);
  }
  if (isSeq(parent) && typeof last === 'number' && parent.items[last]) return add(parent.items[last] as Node);
  commentAbove(doc, path.slice(0, -1), text);
}

/**
 * The YAML text of one imported document: its header, the document, and each note above the node it
 * is about. A document import could not complete is written whole as a comment, with why.
 *
 * @example
 * writeFileSync(path.join(out, d.file), renderDoc(d));
 */
export function renderDoc(d: ImportedDoc): string {
  const doc = new Document(d.doc);
  for (const note of d.notes) commentAbove(doc, note.path, note.text);
  const text = doc.toString({ lineWidth: 0 });
  const header = asComment(d.header).replace(/^ /gm, '# ');
  if (!d.commentedOut) return `${header}\n${text}`;
  const body = text.replace(/^/gm, '# ').replace(/# $/gm, '#');
  return `${header}\n# Not imported: ${d.commentedOut}, then rename this file to ${d.file.replace(/\.draft$/, '')}.\n${body}`;
}
