import { readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { AwsCallError, ConfigError, SpecValidationError } from '../errors.js';
import { parseSpecFiles } from '../spec/load.js';
import { commitIdOf, decodePointer, sha256, shortCommit } from './commit.js';
import { PublishedSpecsError } from './errors.js';
import { loadPublishedSpecs } from './load.js';
import { publishSpecs, rollbackTo } from './publish.js';
import { commitOf, contents, deleteKey, fixedClock, fixture, getText, instrumented, keysIn, putText, slowDown, useSpecStore, TESTDATA } from './testkit.js';

const store = useSpecStore();

const V1 = fixture('v1');
const V2 = fixture('v2');
const V1_COMMIT = commitOf(V1);
const V2_COMMIT = commitOf(V2);
const objectKey = (content: string | Uint8Array, prefix = '') => `${prefix}objects/sha256/${sha256(content)}`;
const file = (set: typeof V1, name: string) => set.find((f) => f.path === name)!;

describe('publishSpecs', () => {
  it('writes the objects, then the manifest, then HEAD', async () => {
    const bucket = await store.bucket();
    const { s3, puts } = instrumented();
    const git = { commit: '4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e', author: 'Jane Doe <jane@example.com>', message: 'api 1.0.0' };

    const result = await publishSpecs({ bucket, prefix: 'team/shop', files: V1, git, s3, clock: fixedClock('2026-11-25T10:00:00.000Z') });

    const manifestKey = `team/shop/commits/${V1_COMMIT}.json`;
    const [api, env] = V1;
    expect(puts().slice(0, 2).sort()).toEqual([objectKey(api.content, 'team/shop/'), objectKey(env.content, 'team/shop/')].sort());
    expect(puts().slice(2)).toEqual([manifestKey, 'team/shop/HEAD']);
    expect(result).toEqual({
      status: 'published',
      dryRun: false,
      location: { bucket, prefix: 'team/shop/' },
      commit: V1_COMMIT,
      previous: null,
      objects: [
        { key: objectKey(api.content, 'team/shop/'), sha256: sha256(api.content), bytes: 359, paths: [api.path], state: 'new' },
        { key: objectKey(env.content, 'team/shop/'), sha256: sha256(env.content), bytes: 220, paths: [env.path], state: 'new' },
      ],
      manifest: { key: manifestKey, state: 'new' },
      pointer: { key: 'team/shop/HEAD', state: 'moved' },
      warnings: [],
    });
    const stored = await contents(store.s3, bucket);
    expect(Object.keys(stored).sort()).toEqual([manifestKey, 'team/shop/HEAD', objectKey(api.content, 'team/shop/'), objectKey(env.content, 'team/shop/')].sort());
    expect(stored[objectKey(api.content, 'team/shop/')]).toBe(readFileSync(`${TESTDATA}/v1/${api.path}`, 'utf8'));
    expect(JSON.parse(stored[manifestKey])).toEqual({
      format: 1,
      commit: V1_COMMIT,
      createdAt: '2026-11-25T10:00:00.000Z',
      parent: null,
      steadyVersion: packageJson.version,
      git,
      files: [
        { path: 'api.yaml', sha256: sha256(api.content), bytes: 359 },
        { path: 'environment.yaml', sha256: sha256(env.content), bytes: 220 },
      ],
    });
    expect(JSON.parse(stored['team/shop/HEAD'])).toEqual({
      format: 1,
      commit: V1_COMMIT,
      manifestKey: `commits/${V1_COMMIT}.json`,
      manifestSha256: sha256(stored[manifestKey]),
      updatedAt: '2026-11-25T10:00:00.000Z',
      previous: null,
      reason: 'apply',
    });
  });

  it('derives the commit id from the sorted paths and hashes only, like sha256sum', () => {
    const listing = V1.map((f) => `${sha256(f.content)}  ${f.path}\n`).join('');

    expect(V1_COMMIT).toBe(sha256(listing));
    expect(commitIdOf([...V1].reverse().map((f) => ({ path: f.path, sha256: sha256(f.content) })))).toBe(V1_COMMIT);
    expect(commitIdOf([{ path: 'a.yaml', sha256: sha256('x') }])).not.toBe(commitIdOf([{ path: 'b.yaml', sha256: sha256('x') }]));
  });

  it('writes nothing when the same specs are published again, in any order', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const before = await contents(store.s3, bucket);
    const { s3, sent } = instrumented();

    const result = await publishSpecs({ bucket, files: [...V1].reverse(), s3, clock: fixedClock('2030-01-01T00:00:00.000Z') });

    expect(result.status).toBe('unchanged');
    expect(result.commit).toBe(V1_COMMIT);
    expect(result.objects.map((o) => o.state)).toEqual(['present', 'present']);
    expect(sent.filter((c) => c.command === 'PutObject')).toEqual([]);
    expect(await contents(store.s3, bucket)).toEqual(before);
  });

  it('uploads only the objects whose content is new, and records the parent', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const { s3, puts } = instrumented();

    const result = await publishSpecs({ bucket, files: V2, s3, clock: fixedClock('2026-11-26T10:00:00.000Z') });

    // v2/environment.yaml has the bytes of v1/environment.yaml: its object is already there.
    expect(puts().slice(0, 2).sort()).toEqual([objectKey(file(V2, 'api.yaml').content), objectKey(file(V2, 'dns.yaml').content)].sort());
    expect(puts().slice(2)).toEqual([`commits/${V2_COMMIT}.json`, 'HEAD']);
    expect(result.objects.map((o) => [o.paths[0], o.state])).toEqual([
      ['api.yaml', 'new'],
      ['dns.yaml', 'new'],
      ['environment.yaml', 'present'],
    ]);
    expect(result.previous).toBe(V1_COMMIT);
    expect(JSON.parse(await getText(store.s3, bucket, `commits/${V2_COMMIT}.json`)).parent).toBe(V1_COMMIT);
    expect(JSON.parse(await getText(store.s3, bucket, 'HEAD'))).toMatchObject({ commit: V2_COMMIT, previous: V1_COMMIT, reason: 'apply' });
  });

  it('stores one object for files with identical bytes', async () => {
    const bucket = await store.bucket();
    const env = file(V1, 'environment.yaml');

    const result = await publishSpecs({ bucket, files: [...V1, { path: 'copy/environment-notes.yaml', content: '# notes\n' }, { path: 'copy/more-notes.yaml', content: '# notes\n' }], allowEmpty: true, s3: store.s3 });

    expect(result.objects.map((o) => o.paths)).toEqual([['api.yaml'], ['copy/environment-notes.yaml', 'copy/more-notes.yaml'], [env.path]]);
    expect((await keysIn(store.s3, bucket)).filter((k) => k.startsWith('objects/'))).toHaveLength(3);
  });

  it('moves HEAD back to an earlier commit when its specs are published again, keeping its manifest', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3, clock: fixedClock('2026-11-25T10:00:00.000Z') });
    await publishSpecs({ bucket, files: V2, s3: store.s3, clock: fixedClock('2026-11-26T10:00:00.000Z') });
    const manifest = await getText(store.s3, bucket, `commits/${V1_COMMIT}.json`);
    const { s3, puts } = instrumented();

    const result = await publishSpecs({ bucket, files: V1, s3, clock: fixedClock('2026-11-27T10:00:00.000Z') });

    expect(result).toMatchObject({ status: 'republished', commit: V1_COMMIT, previous: V2_COMMIT, manifest: { state: 'present' }, pointer: { state: 'moved' } });
    expect(puts()).toEqual(['HEAD']);
    expect(await getText(store.s3, bucket, `commits/${V1_COMMIT}.json`)).toBe(manifest);
    expect(JSON.parse(await getText(store.s3, bucket, 'HEAD'))).toMatchObject({ commit: V1_COMMIT, previous: V2_COMMIT, updatedAt: '2026-11-27T10:00:00.000Z' });
  });

  it('writes nothing in a dry run, and says what it would write', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const before = await contents(store.s3, bucket);
    const { s3, sent } = instrumented();

    const result = await publishSpecs({ bucket, files: V2, s3, dryRun: true });

    expect(result).toMatchObject({ status: 'published', dryRun: true, commit: V2_COMMIT, previous: V1_COMMIT, manifest: { state: 'new' }, pointer: { state: 'moved' } });
    expect(result.objects.map((o) => o.state)).toEqual(['new', 'new', 'present']);
    expect(sent.map((c) => c.command).filter((c) => c === 'PutObject')).toEqual([]);
    expect(await contents(store.s3, bucket)).toEqual(before);
  });

  it('refuses invalid specs without sending a single request', async () => {
    const broken = 'controller/spec/testdata/broken/unknown-field.yaml';
    const { s3, sent } = instrumented();

    const publishing = publishSpecs({ bucket: 'never-touched', files: [{ path: broken, content: readFileSync(broken) }], s3 });

    await expect(publishing).rejects.toThrow(SpecValidationError);
    await expect(publishing).rejects.toThrow(`1 problem in the specs:\n${broken}:11:3 spec.desiredcount: unknown field "desiredcount" (did you mean "desiredCount"?)`);
    expect(sent).toEqual([]);
  });

  it('refuses two files with the same path', async () => {
    const publishing = publishSpecs({ bucket: 'never-touched', files: [...V1, V1[0]], s3: instrumented().s3 });

    await expect(publishing).rejects.toThrow(new ConfigError(`cannot publish two files with the same path ${V1[0].path}`));
  });

  it('restores a missing object of the current commit without moving HEAD', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const key = objectKey(V1[0].content);
    await deleteKey(store.s3, bucket, key);
    const { s3, puts } = instrumented();

    const result = await publishSpecs({ bucket, files: V1, s3 });

    expect(result).toMatchObject({ status: 'republished', pointer: { state: 'unchanged' }, manifest: { state: 'present' } });
    expect(puts()).toEqual([key]);
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(true);
  });

  it('uploads again an object of the current commit that is damaged, instead of taking the commit for published', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const key = objectKey(V1[0].content);
    const original = await getText(store.s3, bucket, key);
    await putText(store.s3, bucket, key, original.replace('shop-api:1.0.0', 'shop-api:6.6.6'));
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(false);
    const { s3, puts, sent } = instrumented();

    const result = await publishSpecs({ bucket, files: V1, s3 });

    expect(result).toMatchObject({ status: 'republished', pointer: { state: 'unchanged' }, manifest: { state: 'present' } });
    expect(result.objects.map((o) => o.state)).toEqual(['repaired', 'present']);
    expect(result.warnings).toEqual([`s3://${bucket}/${key} (api.yaml) is damaged (other bytes of the same size); it will be uploaded again`]);
    expect(puts()).toEqual([key]);
    // Overwritten: a conditional write would be refused by S3, the key being there.
    expect(sent.find((c) => c.command === 'PutObject')?.input.IfNoneMatch).toBeUndefined();
    expect(await getText(store.s3, bucket, key)).toBe(original);
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(true);
  });

  it('writes again a manifest whose sizes are wrong, and moves HEAD to it', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const key = `commits/${V1_COMMIT}.json`;
    const manifest = JSON.parse(await getText(store.s3, bucket, key));
    manifest.files[0].bytes = 100;
    await putText(store.s3, bucket, key, JSON.stringify(manifest));
    const pointer = JSON.parse(await getText(store.s3, bucket, 'HEAD'));
    await putText(store.s3, bucket, 'HEAD', JSON.stringify({ ...pointer, manifestSha256: sha256(JSON.stringify(manifest)) }));
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(false);

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3 });

    expect(result).toMatchObject({ status: 'republished', manifest: { state: 'repaired' }, pointer: { state: 'moved' } });
    expect(result.warnings).toEqual([`s3://${bucket}/${key} is damaged (the sizes it records are not the files'); it will be written again`]);
    expect(JSON.parse(await getText(store.s3, bucket, key)).files[0].bytes).toBe(359);
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(true);
  });

  it('keeps a huge git message short, so the manifest stays loadable', async () => {
    const bucket = await store.bucket();

    await publishSpecs({ bucket, files: V1, git: { message: 'x'.repeat(3 * 1024 * 1024) }, s3: store.s3 });

    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    expect(loaded.ok && loaded.manifest.git?.message?.length).toBe(16 * 1024);
  });

  it('refuses to publish files under names a manifest may not hold, writing nothing', async () => {
    const { s3, sent } = instrumented();
    const env = file(V1, 'environment.yaml');

    const publishing = publishSpecs({ bucket: 'never-touched', files: [{ path: '../escape.yaml', content: env.content }, { path: 'a\u001b[31m.yaml', content: '# x\n' }], s3 });

    await expect(publishing).rejects.toThrow(
      new ConfigError(
        'cannot publish files under these names: ../escape.yaml: an empty, "." or ".." segment; manifest paths are relative to the spec root and stay inside it; ' +
          '"a\\u001b[31m.yaml": a control character (newline, escape, ...) or an invisible formatting character in a path',
      ),
    );
    expect(sent).toEqual([]);
  });

  it('replaces a HEAD that is not a pointer, and warns', async () => {
    const bucket = await store.bucket();
    await putText(store.s3, bucket, 'HEAD', 'ref: main');

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3 });

    expect(result.warnings).toEqual([`s3://${bucket}/HEAD is not a valid pointer (not a steady commit pointer: not UTF-8 JSON); it will be replaced`]);
    expect(result.previous).toBeNull();
    expect(decodePointer(Buffer.from(await getText(store.s3, bucket, 'HEAD')))).toMatchObject({ ok: true, value: { commit: V1_COMMIT } });
  });

  it('rewrites a damaged manifest of the same commit, and warns', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    await putText(store.s3, bucket, `commits/${V1_COMMIT}.json`, '{}');

    const result = await publishSpecs({ bucket, files: V1, s3: store.s3 });

    expect(result.warnings).toEqual([`s3://${bucket}/commits/${V1_COMMIT}.json is damaged (not a steady commit manifest: format: Invalid input: expected 1); it will be written again`]);
    expect(result).toMatchObject({ status: 'republished', manifest: { state: 'repaired' }, pointer: { state: 'moved' } });
    expect((await loadPublishedSpecs({ bucket, s3: store.s3 })).ok).toBe(true);
  });

  it('never lets HEAD name a commit before its manifest and every object exist', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const v1 = parseSpecFiles(V1);
    const observed: { after: string; commit: string | false }[] = [];
    const reader = new S3Client({});
    const { s3, puts } = instrumented({
      before: async (c) => {
        if (c.command !== 'PutObject' || c.input.Key !== 'HEAD') return;
        // The pointer about to be written: everything it leads to must already be there.
        const pointer = JSON.parse(Buffer.from(c.input.Body).toString('utf8'));
        const manifest = JSON.parse(await getText(reader, bucket, pointer.manifestKey));
        expect(sha256(await getText(reader, bucket, pointer.manifestKey))).toBe(pointer.manifestSha256);
        for (const f of manifest.files) expect(sha256(await getText(reader, bucket, `objects/sha256/${f.sha256}`))).toBe(f.sha256);
      },
      after: async (c) => {
        if (c.command !== 'PutObject') return;
        // A controller pass loading in the middle of the publish.
        const loaded = await loadPublishedSpecs({ bucket, s3: reader });
        observed.push({ after: c.input.Key, commit: loaded.ok && loaded.commit });
        if (c.input.Key !== 'HEAD') expect(loaded.ok && v1.ok && loaded.specSet).toEqual(v1.ok && v1.specSet);
      },
    });

    await publishSpecs({ bucket, files: V2, s3, concurrency: 1 });

    expect(puts()).toEqual([objectKey(file(V2, 'api.yaml').content), objectKey(file(V2, 'dns.yaml').content), `commits/${V2_COMMIT}.json`, 'HEAD']);
    expect(observed).toEqual([
      { after: objectKey(file(V2, 'api.yaml').content), commit: V1_COMMIT },
      { after: objectKey(file(V2, 'dns.yaml').content), commit: V1_COMMIT },
      { after: `commits/${V2_COMMIT}.json`, commit: V1_COMMIT },
      { after: 'HEAD', commit: V2_COMMIT },
    ]);
  });

  it('leaves HEAD on the previous commit when an upload fails', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3 });
    const failing = objectKey(file(V2, 'dns.yaml').content);
    const { s3 } = instrumented({
      before: (c) => {
        if (c.command === 'PutObject' && c.input.Key === failing) throw slowDown();
      },
    });

    const publishing = publishSpecs({ bucket, files: V2, s3 });

    await expect(publishing).rejects.toThrow(AwsCallError);
    await expect(publishing).rejects.toThrow(`writing s3://${bucket}/${failing}: SlowDown: Please reduce your request rate.`);
    expect(await keysIn(store.s3, bucket)).not.toContain(`commits/${V2_COMMIT}.json`);
    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    expect(loaded.ok && loaded.commit).toBe(V1_COMMIT);
  });
});

describe('rollbackTo', () => {
  async function twoCommits() {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: V1, s3: store.s3, clock: fixedClock('2026-11-25T10:00:00.000Z') });
    await publishSpecs({ bucket, files: V2, s3: store.s3, clock: fixedClock('2026-11-26T10:00:00.000Z') });
    return bucket;
  }

  it('points HEAD at the earlier commit, writing nothing else, and says which it replaced', async () => {
    const bucket = await twoCommits();
    const { s3, puts } = instrumented();

    const result = await rollbackTo({ bucket, commit: V1_COMMIT.slice(0, 7), s3, clock: fixedClock('2026-11-27T10:00:00.000Z') });

    expect(result).toMatchObject({ status: 'rolled-back', dryRun: false, commit: V1_COMMIT, previous: V2_COMMIT, pointer: { key: 'HEAD', state: 'moved' } });
    expect(result.manifest.createdAt).toBe('2026-11-25T10:00:00.000Z');
    expect(puts()).toEqual(['HEAD']);
    expect(JSON.parse(await getText(store.s3, bucket, 'HEAD'))).toMatchObject({ commit: V1_COMMIT, previous: V2_COMMIT, reason: 'rollback', updatedAt: '2026-11-27T10:00:00.000Z' });
    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    const v1 = parseSpecFiles(V1);
    expect(loaded.ok && loaded.commit).toBe(V1_COMMIT);
    expect(loaded.ok && v1.ok && loaded.specSet).toEqual(v1.ok && v1.specSet);
  });

  it('writes nothing in a dry run', async () => {
    const bucket = await twoCommits();
    const { s3, puts } = instrumented();

    const result = await rollbackTo({ bucket, commit: V1_COMMIT, s3, dryRun: true });

    expect(result).toMatchObject({ status: 'rolled-back', dryRun: true, commit: V1_COMMIT, previous: V2_COMMIT });
    expect(puts()).toEqual([]);
  });

  it('says so and writes nothing when HEAD already is the commit', async () => {
    const bucket = await twoCommits();
    const { s3, puts } = instrumented();

    const result = await rollbackTo({ bucket, commit: V2_COMMIT, s3 });

    expect(result).toMatchObject({ status: 'unchanged', commit: V2_COMMIT, previous: V2_COMMIT, pointer: { state: 'unchanged' } });
    expect(puts()).toEqual([]);
  });

  it('refuses a commit with a corrupt object and leaves HEAD alone', async () => {
    const bucket = await twoCommits();
    const key = objectKey(file(V1, 'api.yaml').content);
    await putText(store.s3, bucket, key, 'corrupt');
    const head = await getText(store.s3, bucket, 'HEAD');

    const rollingBack = rollbackTo({ bucket, commit: V1_COMMIT, s3: store.s3 });

    await expect(rollingBack).rejects.toThrow(PublishedSpecsError);
    await expect(rollingBack).rejects.toThrow(`reading s3://${bucket}/${key}: the object of api.yaml is 7 bytes, the manifest says 359; the object is corrupt`);
    expect(await getText(store.s3, bucket, 'HEAD')).toBe(head);
  });

  it('says when no commit starts with the given digits', async () => {
    const bucket = await twoCommits();
    const ref = V1_COMMIT.startsWith('0000000') ? '1111111' : '0000000';

    const rollingBack = rollbackTo({ bucket, commit: ref, s3: store.s3 });

    await expect(rollingBack).rejects.toThrow(new PublishedSpecsError({ kind: 'manifest-missing', bucket, key: `commits/${ref}`, message: `no commit ${ref} under s3://${bucket}/: no manifest commits/${ref}*.json` }));
  });

  it('refuses something that is not a commit id', async () => {
    await expect(rollbackTo({ bucket: 'never-touched', commit: 'main', s3: instrumented().s3 })).rejects.toThrow(
      new ConfigError('"main" is not a commit id: expected 7 to 64 hex digits'),
    );
  });

  it('names the candidates of an ambiguous abbreviation', async () => {
    const bucket = await twoCommits();
    // Two manifests whose ids share their first 7 digits; rollback must not pick one.
    const a = `abcdef0${'1'.repeat(57)}`;
    const b = `abcdef0${'2'.repeat(57)}`;
    await putText(store.s3, bucket, `commits/${a}.json`, '{}');
    await putText(store.s3, bucket, `commits/${b}.json`, '{}');

    await expect(rollbackTo({ bucket, commit: 'abcdef0', s3: store.s3 })).rejects.toThrow(
      new ConfigError(`commit abcdef0 is ambiguous under s3://${bucket}/: it starts ${shortCommit(a)}, ${shortCommit(b)}`),
    );
  });
});
