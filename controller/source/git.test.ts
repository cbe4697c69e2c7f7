import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSpecPaths } from '../spec/load.js';
import { specFilesToPublish } from './files.js';
import { isDirty, readGitCheckout } from './git.js';
import { TESTDATA } from './testkit.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-git-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

/** A repository with the v1 fixture under specs/, committed. */
function repository(): string {
  git('init', '-q');
  git('config', 'user.name', 'Jane Doe');
  git('config', 'user.email', 'jane@example.com');
  mkdirSync(path.join(dir, 'specs'));
  for (const name of ['api.yaml', 'environment.yaml']) copyFileSync(path.join(TESTDATA, 'v1', name), path.join(dir, 'specs', name));
  git('add', '.');
  git('commit', '-q', '-m', 'api 1.0.0\n\nFirst release of the api.');
  return git('rev-parse', 'HEAD');
}

describe('readGitCheckout', () => {
  it('reads the root, commit, author and message of the checkout a directory is in', async () => {
    const commit = repository();

    const checkout = await readGitCheckout(path.join(dir, 'specs'));

    expect(checkout).toEqual({ root: dir, commit, author: 'Jane Doe <jane@example.com>', message: 'api 1.0.0\n\nFirst release of the api.' });
  });

  it('gives only the root of a repository without commits', async () => {
    git('init', '-q');

    expect(await readGitCheckout(dir)).toEqual({ root: dir });
  });

  it('gives nothing outside a work tree', async () => {
    expect(await readGitCheckout(dir)).toBeUndefined();
  });
});

describe('isDirty', () => {
  it('is false when the files are as committed', async () => {
    repository();

    expect(await isDirty(dir, ['specs/api.yaml', 'specs/environment.yaml'])).toBe(false);
  });

  it('is true when a file is modified', async () => {
    repository();
    writeFileSync(path.join(dir, 'specs/api.yaml'), '# changed\n');

    expect(await isDirty(dir, ['specs/api.yaml', 'specs/environment.yaml'])).toBe(true);
  });

  it('is true when a file is not tracked, and ignores files not published', async () => {
    repository();
    writeFileSync(path.join(dir, 'specs/dns.yaml'), '# new\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'unrelated\n');

    expect(await isDirty(dir, ['specs/api.yaml'])).toBe(false);
    expect(await isDirty(dir, ['specs/api.yaml', 'specs/dns.yaml'])).toBe(true);
  });
});

describe('specFilesToPublish', () => {
  it('names files relative to the root of their checkout, whatever path they were given by', async () => {
    repository();
    const loaded = await loadSpecPaths([path.join(dir, 'specs')]);
    if (!loaded.ok) throw new Error('fixture does not validate');

    const { files, base } = await specFilesToPublish(loaded.specSet, dir);

    expect(base).toBe(dir);
    expect(files.map((f) => f.path)).toEqual(['specs/api.yaml', 'specs/environment.yaml']);
    expect(files.map((f) => Buffer.from(f.content).toString('utf8'))).toEqual([
      execFileSync('cat', [path.join(dir, 'specs/api.yaml')], { encoding: 'utf8' }),
      execFileSync('cat', [path.join(dir, 'specs/environment.yaml')], { encoding: 'utf8' }),
    ]);
  });

  it('names files relative to the current directory outside a checkout', async () => {
    const loaded = await loadSpecPaths([path.resolve(TESTDATA, 'v1')]);
    if (!loaded.ok) throw new Error('fixture does not validate');

    const { files, base } = await specFilesToPublish(loaded.specSet);

    expect(base).toBe(realpathSync(process.cwd()));
    expect(files.map((f) => f.path)).toEqual([`${TESTDATA}/v1/api.yaml`, `${TESTDATA}/v1/environment.yaml`]);
  });

  it('falls back to the current directory when a file is outside the checkout', async () => {
    repository();
    const loaded = await loadSpecPaths([path.join(dir, 'specs'), path.join(TESTDATA, 'v2', 'dns.yaml')]);
    if (!loaded.ok) throw new Error('fixture does not validate');

    const { files, base } = await specFilesToPublish(loaded.specSet, dir);

    expect(base).toBe(realpathSync(process.cwd()));
    expect(files.map((f) => f.path).sort()).toEqual(
      [
        `${TESTDATA}/v2/dns.yaml`,
        path.relative(process.cwd(), path.join(dir, 'specs/api.yaml')),
        path.relative(process.cwd(), path.join(dir, 'specs/environment.yaml')),
      ].sort(),
    );
  });
});
