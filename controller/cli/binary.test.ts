/**
 * The safety guards of issue 15 through the real binary: `node bin/steady.js ...` as a child
 * process with its own working directory, against the local S3 server. Slow (each run starts
 * tsx), so only what must be seen from outside is here; the rest is tested in-process.
 */
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitIdOf, sha256 } from '../source/commit.js';
import { loadPublishedSpecs } from '../source/load.js';
import { fixture, keysIn, startSpecStore, TESTDATA } from '../source/testkit.js';
import { runBinary } from '../testing/cli.js';

let store: Awaited<ReturnType<typeof startSpecStore>>;
let dir: string;
beforeAll(async () => {
  store = await startSpecStore();
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-binary-')));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('steady apply names files relative to the spec root given', () => {
  it('gives the same specs one commit id, from whichever directory and by whichever path it is run', async () => {
    // The same files in two places; apply run from three working directories.
    const work = path.join(dir, 'work');
    mkdirSync(path.join(work, 'specs'), { recursive: true });
    cpSync(path.resolve(TESTDATA, 'v2'), path.join(work, 'specs'), { recursive: true });
    cpSync(path.resolve(TESTDATA, 'v2'), path.join(dir, 'fid-specs'), { recursive: true });
    mkdirSync(path.join(dir, 'elsewhere'));
    const runs: [string, string][] = [
      [work, 'specs'],
      [path.join(work, 'specs'), '.'],
      [path.join(dir, 'elsewhere'), '../fid-specs'],
    ];
    const expected = commitIdOf(fixture('v2').map((f) => ({ path: f.path, sha256: sha256(f.content) })));

    const commits: string[] = [];
    for (const [cwd, given] of runs) {
      const bucket = await store.bucket();
      const { code, stdout, stderr } = await runBinary(['apply', given, '--bucket', bucket, '--output', 'json'], { cwd });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      commits.push(JSON.parse(stdout).commit);
      const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
      expect(loaded.ok && loaded.manifest.files.map((f) => f.path)).toEqual(['api.yaml', 'dns.yaml', 'environment.yaml']);
    }

    expect(commits).toEqual([expected, expected, expected]);
    // Three runs of the binary: each starts tsx, which takes seconds on a busy machine.
  }, 120_000);
});

describe('an empty spec set is refused unless --allow-empty is given', () => {
  const WHY =
    'an empty spec set would stop steady reconciling what the previous one held (steady deletes nothing, but nothing is kept as the specs say any more); ' +
    'if that is what you mean, pass --allow-empty to steady validate and steady apply';

  it('refuses an empty folder in validate and apply, and publishes nothing', async () => {
    const cwd = path.join(dir, 'empty-case');
    mkdirSync(path.join(cwd, 'specs'), { recursive: true });
    const bucket = await store.bucket();

    const [validate, apply] = await Promise.all([runBinary(['validate', 'specs'], { cwd }), runBinary(['apply', 'specs', '--bucket', bucket], { cwd })]);

    expect(validate).toEqual({ code: 1, stdout: `specs: no spec files (*.yaml, *.yml): ${WHY}\n1 problem\n`, stderr: '' });
    expect(apply).toEqual({ code: 1, stdout: `specs: no spec files (*.yaml, *.yml): ${WHY}\n1 problem\n`, stderr: 'nothing was published\n' });
    expect(await keysIn(store.s3, bucket)).toEqual([]);
  });

  it('refuses a folder of comments only, and a file truncated to its comment', async () => {
    const cwd = path.join(dir, 'comments-case');
    mkdirSync(path.join(cwd, 'only-comments'), { recursive: true });
    writeFileSync(path.join(cwd, 'only-comments', 'a.yaml'), '# nothing yet\n');
    writeFileSync(path.join(cwd, 'only-comments', 'b.yml'), '---\n# still nothing\n');
    cpSync(path.resolve(TESTDATA, 'v2'), path.join(cwd, 'truncated'), { recursive: true });
    writeFileSync(path.join(cwd, 'truncated', 'dns.yaml'), '# the aliases of the api\n');

    const [comments, truncated] = await Promise.all([runBinary(['validate', 'only-comments'], { cwd }), runBinary(['validate', 'truncated'], { cwd })]);

    expect(comments).toEqual({ code: 1, stdout: `only-comments: none of the 2 spec files holds a document (only comments, or nothing): ${WHY}\n1 problem\n`, stderr: '' });
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toBe(
      'truncated/dns.yaml:1:1 the file holds no document (only comments, or nothing): a file truncated to its comments would silently drop the resources it held; ' +
        'restore it or delete it, or if that is what you mean, pass --allow-empty to steady validate and steady apply\n1 problem in 1 file\n',
    );
  });

  it('accepts and publishes an empty set with --allow-empty, and the controller loads it', async () => {
    const cwd = path.join(dir, 'allowed-case');
    mkdirSync(path.join(cwd, 'specs'), { recursive: true });
    writeFileSync(path.join(cwd, 'specs', 'README.yaml'), '# every environment moved to another account\n');
    const bucket = await store.bucket();

    const [validate, apply] = await Promise.all([runBinary(['validate', 'specs', '--allow-empty'], { cwd }), runBinary(['apply', 'specs', '--bucket', bucket, '--allow-empty'], { cwd })]);

    expect(validate).toEqual({ code: 0, stdout: '0 environments, 0 resources valid\n', stderr: '' });
    expect(apply.code).toBe(0);
    const loaded = await loadPublishedSpecs({ bucket, s3: store.s3 });
    expect(loaded.ok && loaded.specSet.environments).toEqual([]);
    expect(loaded.ok && loaded.manifest.allowEmpty).toBe(true);
  });
});
