/**
 * Which bytes a publish uploads and under which path names: the manifest's paths are what the
 * controller's messages will show (`shop/api.yaml:11:3 ...`) and part of the commit id, so they
 * must depend on the specs alone, never on the directory `steady apply` was run from.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SpecFile, SpecSet } from '../spec/load.js';

/** Spec files ready to publish, and the directory their paths are relative to. */
export interface FilesToPublish {
  files: SpecFile[];
  /** The spec root (absolute): the directory given, a given file's directory, or the deepest directory holding every path given. */
  base: string;
}

/**
 * Reads the files of a validated spec set again and names each relative to the spec root given on
 * the command line, with `/` separators: `steady apply specs/` publishes `specs/shop/api.yaml` as
 * `shop/api.yaml`, whether it runs from the repository's root, from `specs/` (`apply .`) or from
 * anywhere else. So identical specs always get the identical commit id.
 *
 * The root of one directory is that directory; of one file, the file's directory; of several
 * paths, the deepest directory that holds them all. The names are lexical (symbolic links are not
 * resolved), so a link inside the root never turns into `../`.
 *
 * @example
 * const loaded = await loadSpecPaths(['specs/']);
 * if (loaded.ok) ({ files } = await specFilesToPublish(loaded.specSet, ['specs/']));
 */
export async function specFilesToPublish(specSet: SpecSet, given: string[]): Promise<FilesToPublish> {
  const base = await specRoot(given);
  const files = await Promise.all(
    specSet.files.map(async (f) => ({ path: path.relative(base, path.resolve(f.path)).split(path.sep).join('/'), content: await readFile(f.path) })),
  );
  return { files, base };
}

/** The directory the published paths are relative to (see {@link specFilesToPublish}). */
export async function specRoot(given: string[]): Promise<string> {
  const dirs = await Promise.all(
    given.map(async (g) => {
      const resolved = path.resolve(g);
      return (await isDirectory(resolved)) ? resolved : path.dirname(resolved);
    }),
  );
  return dirs.reduce(commonAncestor);
}

/**
 * Paths of `files` (as `specFilesToPublish` named them, relative to `base`) relative to a git
 * work tree's `root`, for asking git whether they are modified; undefined when one is outside it.
 */
export async function relativeToCheckout(base: string, files: SpecFile[], root: string): Promise<string[] | undefined> {
  // Real paths on both sides: git's root is one, and a symlinked temp or home directory must not turn into "../..".
  const realBase = await realpath(base);
  const out = files.map((f) => path.relative(root, path.join(realBase, ...f.path.split('/'))));
  return out.some((p) => p === '..' || p.startsWith(`..${path.sep}`) || path.isAbsolute(p)) ? undefined : out.map((p) => p.split(path.sep).join('/'));
}

function commonAncestor(a: string, b: string): string {
  const as = a.split(path.sep);
  const bs = b.split(path.sep);
  let i = 0;
  while (i < as.length && i < bs.length && as[i] === bs[i]) i++;
  return as.slice(0, i).join(path.sep) || path.sep;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
