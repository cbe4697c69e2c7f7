/**
 * `npm run bundle [OUTDIR]`: builds the Lambda artefact exactly as the CDK app does (default
 * `dist/lambda/`) and prints its size.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildHandlerBundle, REPOSITORY_ROOT } from './bundling.js';

const outdir = path.resolve(process.argv[2] ?? path.join(REPOSITORY_ROOT, 'dist', 'lambda'));
mkdirSync(outdir, { recursive: true });
const { file, bytes, totalBytes, chunks } = await buildHandlerBundle(outdir);
console.log(`${path.relative(process.cwd(), file)}: ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB); with ${chunks.length} chunks in chunks/: ${totalBytes} bytes`);
