/**
 * Writes docs/output.schema.json, the JSON Schema of every command's `--output json` document,
 * from the zod schemas in contract.ts (`npm run schemas`). contract.test.ts fails when the file
 * is out of date, and checks every command's output against it.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { FORMAT_VERSION, OutputDocument } from './contract.js';

/** docs/output.schema.json in the repository. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../docs/output.schema.json', import.meta.url));

/** The schema document, as the file holds it. */
export function renderOutputSchema(): string {
  const schema = z.toJSONSchema(OutputDocument, { target: 'draft-2020-12', io: 'output' });
  const doc = {
    $schema: schema.$schema,
    $id: `https://steady.dev/schemas/output/v${FORMAT_VERSION}.json`,
    title: 'steady --output json',
    description:
      'What every steady command prints with --output json: one object with formatVersion, command, exitCode and the ' +
      "command's natural list, plus error when it failed. Times are ISO 8601 UTC, durations milliseconds. Generated from " +
      'controller/cli/contract.ts by `npm run schemas`; do not edit.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(SCHEMA_FILE, renderOutputSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
