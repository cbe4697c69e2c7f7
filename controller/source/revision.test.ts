/**
 * readRevisionFiles (`steady diff --base <revision>`): the spec files of a commit, read from a real
 * git repository in a temporary folder with git alone — which files it picks, what it names them,
 * the limits it checks from the tree, and what it says when git cannot give them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRevisionFiles, RevisionError } from './revision.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-revision-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

function write(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
}

/** Commits everything in the work tree; the new commit's full id. */
function commit(message = 'specs'): string {
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', message);
  return git('rev-parse', 'HEAD');
}

function repository(files: Record<string, string | Buffer>): string {
  git('init', '-q', '-b', 'main');
  for (const [file, content] of Object.entries(files)) write(file, content);
  return commit();
}

/** `[name, text]` of each file read, in order. */
const read = (r: { files: { path: string; content: Uint8Array | string }[] }) => r.files.map((f) => [f.path, Buffer.from(f.content).toString('utf8')]);

const API = 'kind: Service\nmetadata:\n  name: api\n';

describe('readRevisionFiles: which files of the revision, under which names', () => {
  it('reads the *.yaml and *.yml files under a folder as committed, not as in the work tree, each byte as stored', async () => {
    const binary = Buffer.from([0x00, 0x0a, 0xff, 0x0a, 0x0a, 0x41]);
    const id = repository({
      'specs/api.yaml': API,
      'specs/Empty.YAML': '',
      'specs/sub/bytes.yml': binary,
      'specs/sub/zz.yaml': 'last: true\n',
      'specs/README.md': '# not a spec\n',
      'specs/api.yaml.orig': 'old\n',
      'specs/notyaml': 'x: 1\n',
      'other/dns.yaml': 'not: asked\n',
    });
    write('specs/api.yaml', 'changed: in the work tree\n');
    write('specs/new.yaml', 'not: committed\n');

    const result = await readRevisionFiles('main', ['specs'], dir);

    expect(result.commit).toBe(id);
    expect(result.problems).toEqual([]);
    expect(result.files.map((f) => f.path)).toEqual(['main:specs/Empty.YAML', 'main:specs/api.yaml', 'main:specs/sub/bytes.yml', 'main:specs/sub/zz.yaml']);
    expect(result.files.map((f) => Buffer.from(f.content))).toEqual([Buffer.from(''), Buffer.from(API), binary, Buffer.from('last: true\n')]);
  });

  it('skips every name starting with a dot below the path given, but reads a dot-named folder given by name', async () => {
    repository({
      'specs/.hidden.yaml': 'a: 1\n',
      'specs/.drafts/api.yaml': 'a: 2\n',
      'specs/sub/.old/api.yaml': 'a: 3\n',
      'specs/sub/api.yaml': 'a: 4\n',
      '.steady/env.yaml': 'a: 5\n',
      '.steady/.cache.yaml': 'a: 6\n',
    });

    expect(read(await readRevisionFiles('HEAD', ['specs'], dir))).toEqual([['HEAD:specs/sub/api.yaml', 'a: 4\n']]);
    expect(read(await readRevisionFiles('HEAD', ['.steady'], dir))).toEqual([['HEAD:.steady/env.yaml', 'a: 5\n']]);
  });

  it('reads a file named explicitly whatever its extension, under the name it was given by', async () => {
    repository({ 'specs/api.yaml': API, 'specs/notes.txt': 'kind: Note\n', 'specs/sub/db.yml': 'db: 1\n' });

    const result = await readRevisionFiles('HEAD', ['specs/notes.txt', './specs/sub/', 'specs/api.yaml'], dir);

    expect(read(result)).toEqual([
      ['HEAD:specs/notes.txt', 'kind: Note\n'],
      ['HEAD:specs/sub/db.yml', 'db: 1\n'],
      ['HEAD:specs/api.yaml', API],
    ]);
  });

  it('reads a file given twice, or inside a folder also given, once, under the first name', async () => {
    repository({ 'specs/api.yaml': API, 'specs/db.yaml': 'db: 1\n' });

    const result = await readRevisionFiles('HEAD', ['specs', 'specs/api.yaml', './specs/db.yaml', 'specs'], dir);

    expect(read(result)).toEqual([
      ['HEAD:specs/api.yaml', API],
      ['HEAD:specs/db.yaml', 'db: 1\n'],
    ]);
  });

  it('reads the whole repository when given its top, and paths relative to the folder it runs in', async () => {
    repository({ 'api.yaml': API, 'README.md': '# specs\n', 'shop/prod/db.yml': 'db: 1\n', 'shop/base/web.yaml': 'web: 1\n' });

    expect(read(await readRevisionFiles('HEAD', ['.'], dir))).toEqual([
      ['HEAD:api.yaml', API],
      ['HEAD:shop/base/web.yaml', 'web: 1\n'],
      ['HEAD:shop/prod/db.yml', 'db: 1\n'],
    ]);
    expect(read(await readRevisionFiles('HEAD', ['.', '../base/web.yaml'], path.join(dir, 'shop', 'prod')))).toEqual([
      ['HEAD:db.yml', 'db: 1\n'],
      ['HEAD:../base/web.yaml', 'web: 1\n'],
    ]);
    expect(read(await readRevisionFiles('HEAD', [path.join(dir, 'shop', 'prod')], tmpdir()))).toEqual([[`HEAD:${path.join(dir, 'shop', 'prod', 'db.yml')}`, 'db: 1\n']]);
  });

  it('finds the repository from a file, from a path gone from the work tree, and through a symbolic link to the checkout', async () => {
    repository({ 'specs/api.yaml': API, 'specs/old.yaml': 'old: 1\n', 'specs/gone/db.yaml': 'db: 1\n' });
    rmSync(path.join(dir, 'specs', 'old.yaml'));
    rmSync(path.join(dir, 'specs', 'gone'), { recursive: true });
    const link = `${dir}-link`;
    symlinkSync(dir, link);
    try {
      expect(read(await readRevisionFiles('HEAD', ['specs/api.yaml'], dir))).toEqual([['HEAD:specs/api.yaml', API]]);
      expect(read(await readRevisionFiles('HEAD', ['specs/old.yaml'], dir))).toEqual([['HEAD:specs/old.yaml', 'old: 1\n']]);
      expect(read(await readRevisionFiles('HEAD', ['specs/gone'], dir))).toEqual([['HEAD:specs/gone/db.yaml', 'db: 1\n']]);
      expect(read(await readRevisionFiles('HEAD', ['specs'], link))).toEqual([
        ['HEAD:specs/api.yaml', API],
        ['HEAD:specs/gone/db.yaml', 'db: 1\n'],
        ['HEAD:specs/old.yaml', 'old: 1\n'],
      ]);
    } finally {
      unlinkSync(link);
    }
  });

  it('reads no symbolic link and no submodule of the revision, only regular files', async () => {
    repository({ 'specs/api.yaml': API });
    symlinkSync('api.yaml', path.join(dir, 'specs', 'link.yaml'));
    const other = commit('a link');
    git('update-index', '--add', '--cacheinfo', `160000,${other},specs/module.yaml`);
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'a submodule');
    expect(git('ls-tree', '-r', 'HEAD', 'specs').split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['100644 blob', '120000 blob', '160000 commit']);

    expect(read(await readRevisionFiles('HEAD', ['specs'], dir))).toEqual([['HEAD:specs/api.yaml', API]]);
    expect(read(await readRevisionFiles('HEAD', ['specs/module.yaml'], dir))).toEqual([]);
  });

  it('gives no files and no problem for a revision from before the folder existed, and the full id of the revision named', async () => {
    git('init', '-q', '-b', 'main');
    const before = commit('before the specs');
    write('specs/api.yaml', API);
    commit();

    expect(await readRevisionFiles(before.slice(0, 7), ['specs'], dir)).toEqual({ commit: before, files: [], problems: [] });
    expect(await readRevisionFiles('main~1', ['specs'], dir)).toEqual({ commit: before, files: [], problems: [] });
  });
});

describe('readRevisionFiles: the limits, from the tree, before any file is read', () => {
  it('reads 1,000 files; 1,001 are one problem about the set, and nothing is read', async () => {
    git('init', '-q', '-b', 'main');
    // 1,000 entries of two blobs, straight into the index: writing 1,000 files would take seconds.
    write('even.txt', 'n: even\n');
    write('odd.txt', 'n: odd\n');
    const blobs = [git('hash-object', '-w', 'even.txt'), git('hash-object', '-w', 'odd.txt')];
    const entries = Array.from({ length: 1000 }, (_, i) => `100644 ${blobs[i % 2]}\tspecs/s${String(i).padStart(4, '0')}.yaml\n`).join('');
    execFileSync('git', ['-C', dir, 'update-index', '--index-info'], { input: entries });
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', '1,000 specs');
    write('more/extra.yaml', 'n: extra\n');
    git('add', 'more');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'one more');

    const thousand = await readRevisionFiles('HEAD', ['specs'], dir);
    const more = await readRevisionFiles('HEAD', ['specs', 'more'], dir);

    expect(thousand.problems).toEqual([]);
    expect(thousand.files).toHaveLength(1000);
    expect(read(thousand).slice(998)).toEqual([
      ['HEAD:specs/s0998.yaml', 'n: even\n'],
      ['HEAD:specs/s0999.yaml', 'n: odd\n'],
    ]);
    expect(more.files).toEqual([]);
    expect(more.problems).toEqual([{ file: 'HEAD:specs, more', line: 0, column: 0, path: '', message: '1001 spec files, more than the 1000 a spec set may have' }]);
  });

  it('reports a file over 1 MiB with its size and reads the others; a file of exactly 1 MiB is read', async () => {
    const exact = Buffer.alloc(1024 * 1024, 'a');
    repository({ 'specs/a.yaml': API, 'specs/big.yaml': Buffer.alloc(1024 * 1024 + 1, 'b'), 'specs/exact.yaml': exact });

    const result = await readRevisionFiles('HEAD', ['specs'], dir);

    expect(result.problems).toEqual([{ file: 'HEAD:specs/big.yaml', line: 0, column: 0, path: '', message: '1048577 bytes, more than the 1 MiB a spec file may have' }]);
    expect(result.files.map((f) => f.path)).toEqual(['HEAD:specs/a.yaml', 'HEAD:specs/exact.yaml']);
    expect(Buffer.from(result.files[1]!.content).equals(exact)).toBe(true);
  });
});

describe('readRevisionFiles: what it says when git cannot give the files', () => {
  it('refuses a revision starting with a dash before git runs, so it can never be taken for an option', async () => {
    await expect(readRevisionFiles('--output=x', ['specs'], path.join(dir, 'nowhere'))).rejects.toMatchObject({ name: 'RevisionError', message: '"--output=x" is not a git revision' });
  });

  it('names the folder that is not in a git work tree, with git\'s reason', async () => {
    mkdirSync(path.join(dir, 'specs'));

    const failure = readRevisionFiles('main', ['specs'], dir);

    await expect(failure).rejects.toBeInstanceOf(RevisionError);
    await expect(failure).rejects.toThrow(`${path.join(dir, 'specs')} is not in a git work tree (fatal: not a git repository (or any of the parent directories): .git); --base needs one`);
  });

  it('says why when git cannot run at all', async () => {
    repository({ 'specs/api.yaml': API });
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-bin');
    try {
      await expect(readRevisionFiles('main', ['specs'], dir)).rejects.toThrow(`${path.join(dir, 'specs')} is not in a git work tree (spawn git ENOENT); --base needs one`);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('does not find a revision that does not exist or names no commit, and says in which repository it looked', async () => {
    repository({ 'specs/api.yaml': API });

    for (const revision of ['no-such-branch', 'HEAD^{tree}', 'HEAD:specs/api.yaml', 'HEAD~1']) {
      await expect(readRevisionFiles(revision, ['specs'], dir)).rejects.toMatchObject({ name: 'RevisionError', message: `git revision "${revision}" not found in ${dir}` });
    }
  });

  it('refuses a path outside the repository the first path is in', async () => {
    repository({ 'specs/api.yaml': API });

    await expect(readRevisionFiles('HEAD', ['specs', '..'], dir)).rejects.toMatchObject({ name: 'RevisionError', message: `.. is outside the git work tree ${dir}` });
    await expect(readRevisionFiles('HEAD', ['specs', path.join(dir, '..', 'elsewhere')], dir)).rejects.toThrow(`${path.join(dir, '..', 'elsewhere')} is outside the git work tree ${dir}`);
  });

  it('fails on a file whose object is missing from a damaged repository, never leaving the file out', async () => {
    repository({ 'specs/api.yaml': API, 'specs/db.yaml': 'db: 1\n' });
    const oid = git('rev-parse', 'HEAD:specs/db.yaml');
    rmSync(path.join(dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2)), { force: true });

    await expect(readRevisionFiles('HEAD', ['specs'], dir)).rejects.toMatchObject({ name: 'RevisionError', message: `git cat-file: unexpected answer for ${oid}: ${oid} missing` });
  });

  it('fails with git\'s own words on a file whose object is corrupt', async () => {
    // Random bytes do not compress: the object's first bytes (its header, which ls-tree reads for the size) survive the cut, its content does not.
    repository({ 'specs/api.yaml': API, 'specs/data.yaml': `data: ${randomBytes(20_000).toString('base64')}\n` });
    const oid = git('rev-parse', 'HEAD:specs/data.yaml');
    const object = path.join(dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    const bytes = readFileSync(object);
    chmodSync(object, 0o644);
    writeFileSync(object, bytes.subarray(0, 200));

    // What git itself says, asked the same way (its wording varies between versions).
    const said = spawnSync('git', ['-C', dir, 'cat-file', '--batch'], { input: `${oid}\n`, encoding: 'utf8' });
    expect(said.status).not.toBe(0);
    expect(said.stderr).toContain(`unable to stream ${oid} to stdout`);

    await expect(readRevisionFiles('HEAD', ['specs'], dir)).rejects.toMatchObject({ name: 'RevisionError', message: `git cat-file failed: ${said.stderr.trim()}` });
  });
});
