/**
 * The safety guards of issue 15 through the real binary: `node bin/steady.js ...` as a child
 * process with its own working directory, against the local S3 server. Slow (each run starts
 * tsx), so only what must be seen from outside is here; the rest is tested in-process.
 */
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitIdOf, sha256 } from '../source/commit.js';
import { loadPublishedSpecs } from '../source/load.js';
import { fixture, startSpecStore, TESTDATA } from '../source/testkit.js';
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
  });
});
