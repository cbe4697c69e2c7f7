/**
 * Which bytes a publish uploads and under which path names: the manifest's paths are what the
 * controller's messages will show (`specs/shop/api.yaml:11:3 ...`) and part of the commit id.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { SpecFile, SpecSet } from '../spec/load.js';

/** Spec files ready to publish, and the directory their paths are relative to. */
export interface FilesToPublish {
  files: SpecFile[];
  base: string;
}

/**
 * Reads the files of a validated spec set again and names each relative to `root` (the git
 * work tree's top level) when all of them are inside it, else relative to the current directory,
 * with `/` separators. So publishing from CI and from a laptop, from the repository's root or
 * from `specs/`, gives the same paths and the same commit id.
 *
 * @example
 * const loaded = await loadSpecPaths(['specs/']);
 * if (loaded.ok) ({ files } = await specFilesToPublish(loaded.specSet, checkout?.root));
 */
export async function specFilesToPublish(specSet: SpecSet, root?: string): Promise<FilesToPublish> {
  // Real paths on both sides, so a symlinked temp or home directory does not turn into "../..".
  const located = await Promise.all(
    specSet.files.map(async (f) => ({ given: f.path, real: path.join(await realpath(path.dirname(path.resolve(f.path))), path.basename(f.path)) })),
  );
  const inside = (base: string) => located.every((f) => !isOutside(path.relative(base, f.real)));
  const base = root !== undefined && inside(root) ? root : await realpath(process.cwd());
  const files = await Promise.all(
    located.map(async (f) => ({ path: path.relative(base, f.real).split(path.sep).join('/'), content: await readFile(f.given) })),
  );
  return { files, base };
}

function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}
