/**
 * Properties of rendering: an overlay without patches renders its base unchanged (and says it
 * wrote nothing but the environment), and rendering is deterministic: the same files, in any
 * order, give the same documents, the same problems and the same printed output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatProblem, renderSpecFiles, type SpecFile } from './load.js';
import { printDocuments } from './print.js';
import { renderOverlay, type WrittenBaseDoc } from './render.js';
import { KINDS, type Kind } from './schema.js';
import { changesIn, plain, type WrittenDoc } from './sourced.js';

/** A document that remembers nothing but its file: enough to tell a base's values from an overlay's. */
const written = (file: string): WrittenDoc => ({ file, locate: (p) => ({ file, line: p.length + 1, column: 1 }) });

const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__');
const value = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('__proto__'));
const baseDoc = fc.record({
  kind: fc.constantFrom(...KINDS),
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
  labels: fc.dictionary(key, fc.string(), { maxKeys: 3 }),
  spec: fc.dictionary(key, value, { maxKeys: 5 }),
});

describe('an overlay without patches', () => {
  it('renders every document of its base unchanged but for the environment, and wrote nothing else', () => {
    fc.assert(
      fc.property(fc.array(baseDoc, { maxLength: 5 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), (docs, environment) => {
        const base: WrittenBaseDoc[] = docs.map((d, i) => ({
          doc: written(`base/${i}.yaml`),
          start: { file: `base/${i}.yaml`, line: 1, column: 1 },
          kind: d.kind as Kind,
          raw: { apiVersion: 'steady.dev/v1alpha1', kind: d.kind, metadata: d.kind === 'Environment' ? { labels: d.labels } : { name: d.name, labels: d.labels }, spec: d.spec },
        }));
        const overlay = { doc: written('overlay.yaml'), start: { file: 'overlay.yaml', line: 1, column: 1 }, overlay: { apiVersion: 'steady.dev/v1alpha1' as const, kind: 'Overlay' as const, metadata: { name: environment }, spec: { base: 'base', patches: [] } } };
        const problems: unknown[] = [];
        const before = structuredClone(base.map((b) => b.raw));

        const rendered = renderOverlay(overlay, base, (at, message) => problems.push({ at, message }));

        expect(problems).toEqual([]);
        expect(rendered.map((r) => plain(r.root))).toEqual(
          base.map((b) => {
            const metadata = b.raw.metadata as Record<string, unknown>;
            return { ...b.raw, metadata: { ...metadata, [b.kind === 'Environment' ? 'name' : 'environment']: environment } };
          }),
        );
        for (const r of rendered) {
          const { changed, removed } = changesIn(r.root);
          expect(changed.map((c) => [c.path, c.at.file])).toEqual([[['metadata', r.kind === 'Environment' ? 'name' : 'environment'], 'overlay.yaml']]);
          expect(removed).toEqual([]);
        }
        // The base itself is untouched: another overlay renders from the same documents.
        expect(base.map((b) => b.raw)).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});

const SHOP = fileURLToPath(new URL('../../specs/shop/', import.meta.url));
const SHOP_FILES: SpecFile[] = (readdirSync(SHOP, { recursive: true }) as string[])
  .filter((n) => n.endsWith('.yaml'))
  .map((n) => ({ path: `shop/${n.split(path.sep).join('/')}`, content: readFileSync(path.join(SHOP, n), 'utf8') }));

const fieldEdit = fc.record({
  target: fc.constantFrom('Environment', 'Service/api', 'Migration/db-migrate', 'AliasRecord/api-dns', 'Service/nope'),
  field: fc.constantFrom('desiredCount', 'cluster', 'zone', 'timeoutSeconds', 'desiredcount', 'network'),
  value: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('shop-test', 'example.org', ''), fc.constant({ subnets: ['subnet-0a1b2c3d4e5f60718'] })),
});

/** A third overlay of the shop's base, with random edits (valid or not). */
function testOverlay(edits: { target: string; field: string; value: unknown }[]): SpecFile {
  const patches = edits.map((e) => ({ target: e.target, merge: { spec: { [e.field]: e.value } } }));
  return { path: 'shop/test/overlay.yaml', content: stringify({ apiVersion: 'steady.dev/v1alpha1', kind: 'Overlay', metadata: { name: 'shop-test' }, spec: { base: '../base', patches } }) };
}

function outcome(files: SpecFile[]) {
  const { result, documents } = renderSpecFiles(files);
  return result.ok ? { environments: result.specSet.environments, printed: printDocuments(documents) } : { problems: result.problems.map(formatProblem) };
}

describe('rendering', () => {
  it('is deterministic: the same files in any order give the same documents, problems and output', () => {
    fc.assert(
      fc.property(fc.array(fieldEdit, { maxLength: 6 }), fc.integer(), (edits, seed) => {
        const files = [...SHOP_FILES, testOverlay(edits)];
        const shuffled = files.map((f, i) => ({ f, k: Math.sin(seed + i) })).sort((a, b) => a.k - b.k).map(({ f }) => f);

        const first = outcome(files);

        expect(outcome(files)).toEqual(first);
        expect(outcome(shuffled)).toEqual(first);
      }),
      { numRuns: 25 },
    );
  });
});
