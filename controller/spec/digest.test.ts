import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalJson, environmentChanges, environmentDigest } from './digest.js';
import { parseSpecFiles, type SpecFile, type SpecSet } from './load.js';

const SHOP = fileURLToPath(new URL('../../specs/shop/', import.meta.url));
const FLAT = fileURLToPath(new URL('./testdata/flat-shop/', import.meta.url));

function files(dir: string, prefix: string): SpecFile[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => ({ path: `${prefix}/${n.split(path.sep).join('/')}`, content: readFileSync(path.join(dir, n), 'utf8') }));
}

function load(list: SpecFile[]): SpecSet {
  const r = parseSpecFiles(list);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.specSet;
}

function edit(list: SpecFile[], file: string, from: string, to: string): SpecFile[] {
  return list.map((f) => (f.path === file ? { ...f, content: String(f.content).replace(from, to) } : f));
}

const digestOf = (set: SpecSet, name: string) => environmentDigest(set.environments.find((e) => e.name === name)!);

describe('environmentDigest', () => {
  it('is the same for the same documents, however they are written: flat, or a base and an overlay', () => {
    const overlaid = load(files(SHOP, 'shop'));
    const flat = load(files(FLAT, 'flat'));

    expect(digestOf(overlaid, 'shop-prod')).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(overlaid, 'shop-prod')).toBe(digestOf(flat, 'shop-prod'));
    expect(digestOf(overlaid, 'shop-staging')).not.toBe(digestOf(overlaid, 'shop-prod'));
  });

  it('tells which environments a change renders differently', () => {
    const shop = files(SHOP, 'shop');
    const before = load(shop);

    expect(environmentChanges(before, load(edit(shop, 'shop/base/api.yaml', 'startPeriod: 15', 'startPeriod: 20')))).toEqual({ changed: ['shop-prod', 'shop-staging'], unchanged: [], added: [] });
    expect(environmentChanges(before, load(edit(shop, 'shop/base/api.yaml', 'family: shop-api', 'family: shop-web')))).toEqual({ changed: ['shop-prod'], unchanged: ['shop-staging'], added: [] });
    expect(environmentChanges(before, load(edit(shop, 'shop/base/api.yaml', '# The shop', '# Our shop')))).toEqual({ changed: [], unchanged: ['shop-prod', 'shop-staging'], added: [] });
    expect(environmentChanges(load(shop.filter((f) => !f.path.startsWith('shop/staging/'))), before)).toEqual({ changed: [], unchanged: ['shop-prod'], added: ['shop-staging'] });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps the order of lists', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });
});
