/**
 * Every command of `steady`, in the order `steady --help` lists them. Each entry only *defines* a
 * command (name, help, options, examples); its code is imported when it runs (`runs` in
 * ../context.ts). A new command: a definition module here, added to this list, whose action is
 * `runs(ctx, () => import('../<name>.js'), (m) => m.<name>)`; see docs/architecture.md.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { defineDemo } from './demo.js';
import { defineDiff } from './diff.js';
import { defineImport } from './import.js';
import { defineMaintenance } from './maintenance.js';
import { definePlan, defineReconcile } from './plan.js';
import { defineCommits, definePublish } from './publish.js';
import { defineRender } from './render.js';
import { defineRetry } from './retry.js';
import { defineHistory, defineReport, defineStatus } from './state.js';
import { defineValidate } from './validate.js';
import { defineVerify } from './verify.js';

export const COMMANDS: ((program: Command, ctx: CliContext) => void)[] = [
  defineValidate,
  defineRender,
  definePlan,
  defineDiff,
  defineReconcile,
  defineVerify,
  defineDemo,
  defineRetry,
  defineStatus,
  defineHistory,
  defineReport,
  definePublish,
  defineCommits,
  defineImport,
  defineMaintenance,
];
