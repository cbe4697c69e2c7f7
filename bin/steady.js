#!/usr/bin/env node
// The `steady` command. Runs the TypeScript sources through tsx so the repository needs no build
// step; the Lambda artefact is bundled separately by esbuild (see deploy/).
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../controller/cli/main.ts');
process.exitCode = await main(process.argv);
