/**
 * The spec files of a git revision (`steady diff --base main`): the same paths as in the working
 * tree, read from the commit with `git ls-tree` and `git cat-file`, never checked out. The same
 * selection as the folder loader (`*.yaml` and `*.yml` under a folder, names starting with a dot
 * skipped, a file named explicitly whatever its extension) and the same limits, checked from the
 * tree's sizes before any blob is read. Only git runs: no AWS, no network.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { realpath, stat } from 'node:fs/promises';
import { DEFAULT_MAX_FILE_BYTES, formatLimit, MAX_SPEC_FILES, setProblem } from '../spec/limits.js';
import type { SpecFile, SpecProblem } from '../spec/load.js';

/** Why the files of a revision could not be read (not a repository, no such revision, git failed). */
export class RevisionError extends Error {
  override name = 'RevisionError';
}

/** The files of the spec paths at one commit, or the problems found before reading them. */
export interface RevisionFiles {
  /** The full id of the commit the revision names. */
  commit: string;
  files: SpecFile[];
  /** Too many files, or a file too large: found from the tree, before any blob is read. */
  problems: SpecProblem[];
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', cwd, ...args], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new RevisionError(stderr.trim().split('\n')[0] || err.message)) : resolve(stdout),
    );
  });
}

/** The blobs `oids` name, in order, through one `git cat-file --batch`. */
function readBlobs(cwd: string, oids: string[]): Promise<Buffer[]> {
  if (oids.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', cwd, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err) => reject(new RevisionError(`running git: ${err.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new RevisionError(`git cat-file failed: ${stderr.trim() || `exit ${code}`}`));
      const out = Buffer.concat(chunks);
      const blobs: Buffer[] = [];
      let at = 0;
      for (const oid of oids) {
        const eol = out.indexOf(0x0a, at);
        const header = out.subarray(at, eol).toString();
        const m = /^([0-9a-f]+) blob (\d+)$/.exec(header);
        if (!m || m[1] !== oid) return reject(new RevisionError(`git cat-file: unexpected answer for ${oid}: ${header}`));
        const size = Number(m[2]);
        blobs.push(out.subarray(eol + 1, eol + 1 + size));
        at = eol + 1 + size + 1;
      }
      resolve(blobs);
    });
    child.stdin.end(`${oids.join('\n')}\n`);
  });
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
  /** Relative to the repository's root. */
  path: string;
}

async function listTree(top: string, commit: string, repoPath: string): Promise<TreeEntry[]> {
  const out = await git(top, ['ls-tree', '-r', '-l', '-z', '--full-tree', commit, '--', repoPath === '' ? '.' : repoPath]);
  return out
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, oid, size] = line.slice(0, tab).split(/\s+/);
      return { mode, type, oid, size: Number(size), path: line.slice(tab + 1) };
    });
}

/** A spec file of a folder, as the folder loader picks them: YAML, and nothing under a dot-name. */
function picked(rest: string): boolean {
  return /\.ya?ml$/i.test(rest) && !rest.split('/').some((part) => part.startsWith('.'));
}

/**
 * The spec files under `paths` (as given on the command line, relative to `cwd`) at `revision`,
 * named `<revision>:<path as given>` so that a problem in them says which side it is on.
 *
 * @example
 * const base = await readRevisionFiles('main', ['specs/']);
 * const loaded = parseSpecFiles(base.files, { allowEmpty: true, label: 'main:specs/' });
 */
export async function readRevisionFiles(revision: string, paths: string[], cwd = process.cwd()): Promise<RevisionFiles> {
  if (revision.startsWith('-')) throw new RevisionError(`"${revision}" is not a git revision`);
  // The repository is the one the specs are in (the first path's), wherever steady runs from.
  const first = path.resolve(cwd, paths[0] ?? '.');
  const probe = await stat(first).then((s) => (s.isDirectory() ? first : path.dirname(first)), () => path.dirname(first));
  let top: string;
  try {
    top = await realpath((await git(probe, ['rev-parse', '--show-toplevel'])).trim());
  } catch (err) {
    throw new RevisionError(`${probe} is not in a git work tree (${(err as Error).message}); --base needs one`);
  }
  let commit: string;
  try {
    commit = (await git(top, ['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`])).trim();
  } catch {
    throw new RevisionError(`git revision "${revision}" not found in ${top}`);
  }
  const entries: { name: string; entry: TreeEntry }[] = [];
  const seen = new Set<string>();
  for (const given of paths) {
    const absolute = await realpath(path.resolve(cwd, given)).catch(() => path.resolve(cwd, given));
    const repoPath = path.relative(top, absolute).split(path.sep).join('/');
    if (repoPath.startsWith('..') || path.isAbsolute(repoPath)) throw new RevisionError(`${given} is outside the git work tree ${top}`);
    for (const entry of await listTree(top, commit, repoPath)) {
      // Only regular files: not symbolic links, not submodules.
      if (entry.type !== 'blob' || entry.mode === '120000' || seen.has(entry.path)) continue;
      const rest = repoPath === '' ? entry.path : entry.path.slice(repoPath.length).replace(/^\//, '');
      const named = rest === '';
      if (!named && !picked(rest)) continue;
      seen.add(entry.path);
      entries.push({ name: `${revision}:${named ? given : path.posix.join(given.split(path.sep).join('/'), rest)}`, entry });
    }
  }
  const label = `${revision}:${paths.join(', ')}`;
  if (entries.length > MAX_SPEC_FILES) return { commit, files: [], problems: [setProblem(label, `${entries.length} spec files, more than the ${MAX_SPEC_FILES} a spec set may have`)] };
  const tooLarge = entries.filter((e) => e.entry.size > DEFAULT_MAX_FILE_BYTES);
  const problems = tooLarge.map((e) => ({ file: e.name, line: 0, column: 0, path: '', message: `${e.entry.size} bytes, more than the ${formatLimit(DEFAULT_MAX_FILE_BYTES)} a spec file may have` }));
  // Not `size <= limit`: a blob whose object is missing has no size (ls-tree says `BAD`), and must
  // reach cat-file, which says so, rather than silently drop out of the set.
  const wanted = entries.filter((e) => !(e.entry.size > DEFAULT_MAX_FILE_BYTES));
  const blobs = await readBlobs(top, wanted.map((e) => e.entry.oid));
  return { commit, files: wanted.map((e, i) => ({ path: e.name, content: blobs[i] })), problems };
}
