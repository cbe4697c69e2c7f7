#!/usr/bin/env node
// @ts-check
// The `steady` command. The repository needs no build step: the TypeScript sources run through tsx.
// The command definitions (what --help and --version need) load from a bundle cached by
// fast-start.js, without tsx; tsx is registered only when a command runs (see docs/architecture.md).
// The Lambda artefact is bundled separately by esbuild (see deploy/).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { version, engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// The requirement is package.json's `engines.node` (">=20"), the floor of the dependencies' own.
const needed = Number(/^>=\s*(\d+)/.exec(engines.node)?.[1]);
const [major] = process.versions.node.split('.').map(Number);
if (major < needed) {
  process.stderr.write(`error: steady needs Node.js ${needed} or newer (22 or 24 recommended); this is Node.js ${process.versions.node}\n`);
  process.exit(1);
}
// The AWS SDK warns on Node 20 that its releases after January 2027 will need Node 22; the versions
// steady pins run on Node 20 (see README, "Requirements"). Set it to false to see the warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `steady plan | head`: the reader went away; stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** @type {Promise<void> | undefined} */
let typescript;
const loadTypeScript = () =>
  (typescript ??= import('tsx/esm/api').then(({ register }) => {
    register();
  }));

/** @type {typeof import('../controller/cli/main.js').main | undefined} */
let main;
if (process.env.STEADY_FAST_START !== '0') {
  try {
    const { cliBundle } = await import('./fast-start.js');
    ({ main } = await import(pathToFileURL(await cliBundle()).href));
  } catch {
    main = undefined; // slower, never wrong: everything through tsx
  }
}
if (!main) {
  await loadTypeScript();
  ({ main } = await import(new URL('../controller/cli/main.ts', import.meta.url).href));
}
process.exitCode = await /** @type {NonNullable<typeof main>} */ (main)(process.argv, undefined, { version, beforeImport: loadTypeScript });
