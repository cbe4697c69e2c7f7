import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpecFiles } from '../spec/load.js';
import { commitIdOf, sha256, shortCommit } from '../source/commit.js';
import { loadPublishedSpecs } from '../source/load.js';
import { contents, fixture, getText, keysIn, putText, startSpecStore, TESTDATA } from '../source/testkit.js';
import { runCli } from '../testing/cli.js';

const run = runCli;

let store: Awaited<ReturnType<typeof startSpecStore>>;
beforeAll(async () => {
  store = await startSpecStore();
});
afterAll(() => store.close());

const V1_DIR = `${TESTDATA}/v1`;
const V2_DIR = `${TESTDATA}/v2`;
const SHOP_DIR = fileURLToPath(new URL('../../specs/shop/', import.meta.url));
const idOf = (files: ReturnType<typeof fixture>) => commitIdOf(files.map((f) => ({ path: f.path, sha256: sha256(f.content) })));
const V1 = idOf(fixture('v1'));
const V2 = idOf(fixture('v2'));
/** Fixed git metadata, so that what is recorded does not depend on this repository's state. */
const GIT_FLAGS = ['--git-commit', '4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e', '--author', 'Jane Doe <jane@example.com>', '--message', 'api 1.0.0'];

describe('steady apply', () => {
  it('validates, publishes the files, the manifest and HEAD, and prints each', async () => {
    const bucket = await store.bucket();

    const { code, stdout, stderr } = await run('apply', V1_DIR, '--bucket', bucket, '--prefix', 'shop-prod');

    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(
      [
        '✓ 2 files valid: 1 environment, 1 resource',
        '+ api.yaml          359 bytes',
        '+ environment.yaml  220 bytes',
        `+ shop-prod/commits/${V1}.json`,
        `→ shop-prod/HEAD: ${shortCommit(V1)}`,
        `published commit ${shortCommit(V1)} to s3://${bucket}/shop-prod/, its first commit (2 objects uploaded, 0 already there)`,
        '',
      ].join('\n'),
    );
    const [api, env] = fixture('v1');
    expect(await keysIn(store.s3, bucket)).toEqual(
      ['shop-prod/HEAD', `shop-prod/commits/${V1}.json`, `shop-prod/objects/sha256/${sha256(api.content)}`, `shop-prod/objects/sha256/${sha256(env.content)}`].sort(),
    );
  });

  it('round-trips: the loader returns exactly the spec set and commit id that apply published', async () => {
    const bucket = await store.bucket();
    // The files as they are on disk, named relative to the spec root given to apply.
    const fromDisk = parseSpecFiles(fixture('v2'));

    await run('apply', V2_DIR, '--bucket', bucket, '--prefix', 'shop-prod');
    const loaded = await loadPublishedSpecs({ bucket, prefix: 'shop-prod' });

    expect(loaded.ok && loaded.commit).toBe(V2);
    expect(loaded.ok && fromDisk.ok && loaded.specSet).toEqual(fromDisk.ok && fromDisk.specSet);
  });

  it('uploads nothing when the same specs are applied again, and says so', async () => {
    const bucket = await store.bucket();
    await run('apply', V1_DIR, '--bucket', bucket);
    const before = await contents(store.s3, bucket);

    const { code, stdout } = await run('apply', V1_DIR, '--bucket', bucket);

    expect(code).toBe(0);
    expect(stdout).toBe(
      ['✓ 2 files valid: 1 environment, 1 resource', `already published as commit ${shortCommit(V1)} (HEAD of s3://${bucket}/); nothing was uploaded`, ''].join('\n'),
    );
    expect(await contents(store.s3, bucket)).toEqual(before);
  });

  it('uploads only new content for a new commit and names the commit it replaces', async () => {
    const bucket = await store.bucket();
    await run('apply', V1_DIR, '--bucket', bucket);

    const { code, stdout } = await run('apply', V2_DIR, '--bucket', bucket);

    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        '✓ 3 files valid: 1 environment, 2 resources',
        '+ api.yaml          359 bytes',
        '+ dns.yaml          193 bytes',
        '= environment.yaml  already uploaded',
        `+ commits/${V2}.json`,
        `→ HEAD: ${shortCommit(V2)} (was ${shortCommit(V1)})`,
        '~ rendered specs changed: shop-test',
        `published commit ${shortCommit(V2)} to s3://${bucket}/, replacing ${shortCommit(V1)} (2 objects uploaded, 1 already there)`,
        '',
      ].join('\n'),
    );
  });

  it('repairs the commit HEAD already names when an object of it is damaged, instead of saying "already published"', async () => {
    const bucket = await store.bucket();
    await run('apply', V1_DIR, '--bucket', bucket);
    const [api] = fixture('v1');
    const key = `objects/sha256/${sha256(api.content)}`;
    await putText(store.s3, bucket, key, 'gone wrong');

    const { code, stdout, stderr } = await run('apply', V1_DIR, '--bucket', bucket);

    expect(code).toBe(0);
    expect(stderr).toBe(`warning: s3://${bucket}/${key} (api.yaml) is damaged (10 bytes, not 359); it will be uploaded again\n`);
    expect(stdout).toBe(
      [
        '✓ 2 files valid: 1 environment, 1 resource',
        '! api.yaml          359 bytes, uploaded again: the object in the bucket is damaged',
        '= environment.yaml  already uploaded',
        `= commits/${V1}.json  already published`,
        `repaired commit ${shortCommit(V1)}, the HEAD of s3://${bucket}/ (0 objects uploaded, 1 damaged repaired, 1 already there)`,
        '',
      ].join('\n'),
    );
    expect((await loadPublishedSpecs({ bucket })).ok).toBe(true);
  });

  it('says loudly, once per Environment, what the commit it replaces held and this one does not', async () => {
    const bucket = await store.bucket();
    await run('apply', V2_DIR, '--bucket', bucket);
    const other = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-apply-other-')));
    try {
      writeFileSync(path.join(other, 'environment.yaml'), 'apiVersion: steady.dev/v1alpha1\nkind: Environment\nmetadata: { name: shop-prod }\nspec: { region: ap-northeast-1, cluster: shop-prod }\n');

      const { code, stderr } = await run('apply', other, '--bucket', bucket);
      const json = await run('apply', V2_DIR, '--bucket', bucket, '--output', 'json');

      expect(code).toBe(0);
      const next = (await loadPublishedSpecs({ bucket })) as { commit: string };
      expect(stderr).toBe(
        `warning: Environment shop-test is no longer in the specs (commit ${shortCommit(V2)} → ${shortCommit(commitIdOf([{ path: 'environment.yaml', sha256: sha256(readFileSync(path.join(other, 'environment.yaml'))) }]))}); ` +
          'it and its 2 resources are not reconciled any more; steady deletes nothing\n',
      );
      expect(next.commit).toBe(V2);
      expect(JSON.parse(json.stdout).removed).toEqual([
        {
          kind: 'Environment',
          name: 'shop-prod',
          environment: 'shop-prod',
          resources: 0,
          message: expect.stringMatching(/^Environment shop-prod is no longer in the specs \(commit [0-9a-f]{12} → [0-9a-f]{12}\); it is not reconciled any more; steady deletes nothing$/),
        },
      ]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('publishes a base and its overlays as they are written, and says which environments a commit renders differently', async () => {
    const bucket = await store.bucket();
    const specs = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-apply-overlays-')));
    try {
      cpSync(SHOP_DIR, specs, { recursive: true });
      expect((await run('apply', specs, '--bucket', bucket)).code).toBe(0);
      const overlay = path.join(specs, 'staging', 'overlay.yaml');
      writeFileSync(overlay, readFileSync(overlay, 'utf8').replace('desiredCount: 1', 'desiredCount: 2'));

      const { code, stdout } = await run('apply', specs, '--bucket', bucket);
      const json = await run('apply', specs, '--bucket', bucket, '-o', 'json');

      expect(code).toBe(0);
      expect(stdout).toContain('\n+ staging/overlay.yaml  ');
      expect(stdout).toContain('\n~ rendered specs changed: shop-staging; unchanged: shop-prod\n');
      // The files are published as written: the controller renders them, and its messages name them.
      const loaded = await loadPublishedSpecs({ bucket });
      expect(loaded.ok && loaded.manifest.files.map((f) => f.path)).toEqual([
        'base/api.yaml', 'base/db-migrate-nightly.yaml', 'base/db-migrate.yaml', 'base/dns.yaml', 'base/environment.yaml', 'prod/apex-dns.yaml', 'prod/maintenance.yaml', 'prod/overlay.yaml', 'staging/overlay.yaml',
      ]);
      expect(loaded.ok && loaded.specSet.environments.find((e) => e.name === 'shop-staging')?.services[0].spec.desiredCount).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ status: 'unchanged', environments: null });
    } finally {
      rmSync(specs, { recursive: true, force: true });
    }
  });

  it('refuses invalid specs exactly as validate reports them, and uploads nothing', async () => {
    const bucket = await store.bucket();
    const broken = 'controller/spec/testdata/broken/unknown-field.yaml';
    const validate = await run('validate', broken);

    const { code, stdout, stderr } = await run('apply', broken, '--bucket', bucket);

    expect(code).toBe(1);
    expect(stdout).toBe(validate.stdout);
    expect(stdout).toBe(`${broken}:11:3 spec.desiredcount: unknown field "desiredcount" (did you mean "desiredCount"?)\n1 problem in 1 file\n`);
    expect(stderr).toBe('nothing was published\n');
    expect(await keysIn(store.s3, bucket)).toEqual([]);
  });

  it('prints the problems as JSON with --output json', async () => {
    const bucket = await store.bucket();
    const broken = 'controller/spec/testdata/broken/invalid-enum.yaml';

    const { code, stdout } = await run('apply', broken, '--bucket', bucket, '-o', 'json');

    expect(code).toBe(1);
    const problems = [{ file: broken, line: 8, column: 9, path: 'spec.mode', message: 'expected one of: enforce, observe' }];
    expect(JSON.parse(stdout)).toEqual({
      formatVersion: 1,
      command: 'apply',
      exitCode: 1,
      error: { kind: 'invalidSpecs', message: '1 problem in the specs: nothing was published', problems },
      ok: false,
      problems,
    });
    expect(await keysIn(store.s3, bucket)).toEqual([]);
  });

  it('shows what it would upload with --dry-run, and uploads nothing', async () => {
    const bucket = await store.bucket();
    await run('apply', V1_DIR, '--bucket', bucket);
    const before = await contents(store.s3, bucket);

    const { code, stdout } = await run('apply', V2_DIR, '--bucket', bucket, '--dry-run');

    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        '✓ 3 files valid: 1 environment, 2 resources',
        '+ api.yaml          359 bytes',
        '+ dns.yaml          193 bytes',
        '= environment.yaml  already uploaded',
        `+ commits/${V2}.json`,
        `→ HEAD: ${shortCommit(V2)} (was ${shortCommit(V1)})`,
        '~ rendered specs changed: shop-test',
        `dry run: would publish commit ${shortCommit(V2)} to s3://${bucket}/, replacing ${shortCommit(V1)} (2 objects to upload, 1 already there); nothing was written`,
        '',
      ].join('\n'),
    );
    expect(await contents(store.s3, bucket)).toEqual(before);
  });

  it('describes the publish as JSON with --output json', async () => {
    const bucket = await store.bucket();
    const [api, env] = fixture('v1');

    const { code, stdout } = await run('apply', V1_DIR, '--bucket', bucket, '--prefix', 'shop', '--output', 'json', ...GIT_FLAGS);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      formatVersion: 1,
      command: 'apply',
      exitCode: 0,
      ok: true,
      bucket,
      prefix: 'shop/',
      status: 'published',
      dryRun: false,
      commit: V1,
      previous: null,
      objects: [
        { key: `shop/objects/sha256/${sha256(api.content)}`, sha256: sha256(api.content), bytes: 359, paths: ['api.yaml'], state: 'new' },
        { key: `shop/objects/sha256/${sha256(env.content)}`, sha256: sha256(env.content), bytes: 220, paths: ['environment.yaml'], state: 'new' },
      ],
      manifest: { key: `shop/commits/${V1}.json`, state: 'new' },
      pointer: { key: 'shop/HEAD', state: 'moved' },
      warnings: [],
      removed: [],
      environments: null,
      git: { commit: '4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e', author: 'Jane Doe <jane@example.com>', message: 'api 1.0.0' },
      problems: [],
    });
  });

  it('reports an S3 failure on stderr with exit 1', async () => {
    const { code, stdout, stderr } = await run('apply', V1_DIR, '--bucket', 'no-such-bucket');

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: reading s3://no-such-bucket/HEAD: NoSuchBucket: The specified bucket does not exist\n');
  });

  describe('git metadata', () => {
    let repo: string;
    let head: string;
    beforeAll(() => {
      repo = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-apply-git-')));
      const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
      git('init', '-q');
      git('config', 'user.name', 'Jane Doe');
      git('config', 'user.email', 'jane@example.com');
      mkdirSync(path.join(repo, 'specs'));
      for (const name of ['api.yaml', 'environment.yaml']) copyFileSync(path.join(V1_DIR, name), path.join(repo, 'specs', name));
      git('add', '.');
      git('commit', '-q', '-m', 'api 1.0.0');
      head = git('rev-parse', 'HEAD');
    });
    afterAll(() => rmSync(repo, { recursive: true, force: true }));

    it('records the checkout\'s commit, author and message, with paths relative to the spec root', async () => {
      const bucket = await store.bucket();

      const { code } = await run('apply', path.join(repo, 'specs'), '--bucket', bucket);

      expect(code).toBe(0);
      const { commit, manifest } = (await loadPublishedSpecs({ bucket })) as Extract<Awaited<ReturnType<typeof loadPublishedSpecs>>, { ok: true }>;
      expect(manifest.git).toEqual({ commit: head, author: 'Jane Doe <jane@example.com>', message: 'api 1.0.0', dirty: false });
      expect(manifest.files.map((f) => f.path)).toEqual(['api.yaml', 'environment.yaml']);
      expect(commit).toBe(commitIdOf(manifest.files));
    });

    it('lets each flag override what the checkout says', async () => {
      const bucket = await store.bucket();

      await run('apply', path.join(repo, 'specs'), '--bucket', bucket, '--message', 'deploy #42');
      const loaded = await loadPublishedSpecs({ bucket });

      expect(loaded.ok && loaded.manifest.git).toEqual({ commit: head, author: 'Jane Doe <jane@example.com>', message: 'deploy #42', dirty: false });
    });

    it('records only the flags outside a checkout', async () => {
      const bucket = await store.bucket();
      const outside = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-apply-nogit-')));
      try {
        copyFileSync(path.join(V1_DIR, 'environment.yaml'), path.join(outside, 'environment.yaml'));

        await run('apply', outside, '--bucket', bucket, '--author', 'CI <ci@example.com>');
        const loaded = await loadPublishedSpecs({ bucket });

        expect(loaded.ok && loaded.manifest.git).toEqual({ author: 'CI <ci@example.com>' });
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });
  });
});

describe('steady apply --rollback', () => {
  async function twoCommits() {
    const bucket = await store.bucket();
    await run('apply', V1_DIR, '--bucket', bucket, ...GIT_FLAGS);
    await run('apply', V2_DIR, '--bucket', bucket, ...GIT_FLAGS);
    return bucket;
  }

  it('makes the loader return the earlier commit, and says which commit it replaced', async () => {
    const bucket = await twoCommits();
    const createdAt = JSON.parse(await getText(store.s3, bucket, `commits/${V1}.json`)).createdAt;

    const { code, stdout, stderr } = await run('apply', '--rollback', V1.slice(0, 7), '--bucket', bucket);

    expect(code).toBe(0);
    // v1 has no dns.yaml: rolling back drops its AliasRecord, and apply says so.
    expect(stderr).toBe(
      `warning: AliasRecord api-dns of environment shop-test is no longer in the specs (commit ${shortCommit(V2)} → ${shortCommit(V1)}); it is not reconciled any more; steady deletes nothing\n`,
    );
    expect(stdout).toBe(
      [
        `✓ commit ${shortCommit(V1)} is intact: 2 files, every hash matches, the specs are valid`,
        `→ HEAD: ${shortCommit(V1)} (was ${shortCommit(V2)})`,
        '~ rendered specs changed: shop-test',
        `rolled s3://${bucket}/ back to commit ${shortCommit(V1)} (first published ${createdAt}), replacing ${shortCommit(V2)}`,
        '',
      ].join('\n'),
    );
    const loaded = await loadPublishedSpecs({ bucket });
    const v1 = parseSpecFiles(fixture('v1'));
    expect(loaded.ok && loaded.commit).toBe(V1);
    expect(loaded.ok && v1.ok && loaded.specSet).toEqual(v1.ok && v1.specSet);
  });

  it('writes nothing with --dry-run', async () => {
    const bucket = await twoCommits();
    const before = await contents(store.s3, bucket);

    const { code, stdout } = await run('apply', '--rollback', V1, '--bucket', bucket, '--dry-run');

    expect(code).toBe(0);
    expect(stdout.split('\n')[3]).toMatch(new RegExp(`^dry run: would roll s3://${bucket}/ back to commit ${shortCommit(V1)} \\(first published .*\\), replacing ${shortCommit(V2)}; nothing was written$`));
    expect(await contents(store.s3, bucket)).toEqual(before);
  });

  it('says so when HEAD already is that commit', async () => {
    const bucket = await twoCommits();

    const { code, stdout } = await run('apply', '--rollback', V2, '--bucket', bucket);

    expect(code).toBe(0);
    expect(stdout).toBe(
      [`✓ commit ${shortCommit(V2)} is intact: 3 files, every hash matches, the specs are valid`, `HEAD of s3://${bucket}/ already is commit ${shortCommit(V2)}; nothing was written`, ''].join('\n'),
    );
  });

  it('refuses a commit whose files are damaged, with exit 1, leaving HEAD alone', async () => {
    const bucket = await twoCommits();
    const [api] = fixture('v1');
    const key = `objects/sha256/${sha256(api.content)}`;
    await putText(store.s3, bucket, key, 'gone wrong');
    const head = await getText(store.s3, bucket, 'HEAD');

    const { code, stdout, stderr } = await run('apply', '--rollback', V1, '--bucket', bucket);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: reading s3://${bucket}/${key}: the object of api.yaml is 10 bytes, the manifest says 359; the object is corrupt\n`);
    expect(await getText(store.s3, bucket, 'HEAD')).toBe(head);
  });

  it('reports the error as JSON with --output json', async () => {
    const bucket = await store.bucket();

    const { code, stdout } = await run('apply', '--rollback', '1234567', '--bucket', bucket, '-o', 'json');

    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      formatVersion: 1,
      command: 'apply',
      exitCode: 1,
      error: { kind: 'manifest-missing', message: `no commit 1234567 under s3://${bucket}/: no manifest commits/1234567*.json` },
      ok: false,
      problems: [],
    });
  });
});

describe('steady apply usage errors', () => {
  it.each([
    [['apply', V1_DIR], "error: required option '--bucket <name>' not specified"],
    [['apply', V1_DIR, '--bucket', 'Bad_Bucket'], "error: option '--bucket <name>' argument 'Bad_Bucket' is invalid. invalid bucket name \"Bad_Bucket\""],
    [['apply', V1_DIR, '--bucket', 'specs', '--prefix', 'a//b'], 'invalid prefix "a//b": an empty segment (//) is not allowed'],
    [['apply', V1_DIR, '--bucket', 'specs', '--rollback', 'abcdef0'], 'error: --rollback takes no spec paths: it republishes a commit already in the bucket'],
    [['apply', '--bucket', 'specs', '--rollback', 'abcdef0', '--message', 'x'], "error: option '--rollback <commit>' cannot be used with option '--message <text>'"],
    [['apply', '--bucket', 'specs', '--rollback', 'abcdef0', '--allow-empty'], "error: option '--rollback <commit>' cannot be used with option '--allow-empty'"],
    [['apply', '--bucket', 'specs', '--rollback', 'main'], "error: option '--rollback <commit>' argument 'main' is invalid. expected a commit id: 7 to 64 hex digits"],
  ])('exits 2 for steady %j', async (args, message) => {
    const { code, stderr } = await run(...args);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('documents itself in --help', async () => {
    const { code, stdout } = await run('apply', '--help');

    expect(code).toBe(0);
    expect(stdout).toContain('Usage: steady publish|apply [options] [paths...]');
    expect(stdout).toContain('--rollback <commit>');
    expect(stdout).toContain('It changes no AWS resource');
    expect(stdout).toContain('Exit codes: 0 published or nothing to do, 1 invalid specs or S3 failure, 2 usage\nerror (including no region).');
  });
});
