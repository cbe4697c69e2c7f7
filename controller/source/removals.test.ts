/**
 * What a new spec set no longer holds of the commit it replaces (`steady apply` warns, the Lambda
 * logs and emits SpecsRemoved): read from the local S3 server, or from the loader the caller gives.
 */
import { describe, expect, it } from 'vitest';
import { parseSpecFiles } from '../spec/load.js';
import { loadCommit } from './load.js';
import { publishSpecs } from './publish.js';
import { removalsSince } from './removals.js';
import { commitOf, fixture, instrumented, useSpecStore } from './testkit.js';

const store = useSpecStore();

const V1 = fixture('v1');
const V2 = fixture('v2');
const specSetOf = (files: typeof V1) => {
  const parsed = parseSpecFiles(files);
  if (!parsed.ok) throw new Error('fixture does not parse');
  return parsed.specSet;
};

describe('removalsSince', () => {
  it('names what the previous commit held that the new set does not, and which environments change', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, prefix: 'shop', files: V2, s3: store.s3 });

    const result = await removalsSince({ bucket, prefix: 'shop', s3: store.s3, previous: commitOf(V2), specSet: specSetOf(V1) });

    expect(result).toEqual({ ok: true, removed: [{ kind: 'AliasRecord', name: 'api-dns', environment: 'shop-test' }], environments: { changed: ['shop-test'], unchanged: [], added: [] } });
  });

  it('reads the previous commit through the loader it is given, and nothing from S3', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V2, s3: store.s3 });
    const { s3, sent } = instrumented();
    const asked: string[] = [];

    const result = await removalsSince({
      bucket,
      s3,
      previous: commitOf(V2),
      specSet: specSetOf(V2),
      load: (commit) => (asked.push(commit), loadCommit({ bucket, commit, s3: store.s3 })),
    });

    expect(result).toEqual({ ok: true, removed: [], environments: { changed: [], unchanged: ['shop-test'], added: [] } });
    expect(asked).toEqual([commitOf(V2)]);
    expect(sent).toEqual([]);
  });

  it('says why when the previous commit cannot be read', async () => {
    const bucket = await store.bucket();
    const previous = commitOf(V2);

    const result = await removalsSince({ bucket, s3: store.s3, previous, specSet: specSetOf(V1) });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({ kind: 'manifest-missing', message: `reading s3://${bucket}/commits/${previous}.json: the manifest of commit ${previous.slice(0, 12)} does not exist` });
  });
});
