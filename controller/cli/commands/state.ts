/**
 * `steady status`, `steady history` and `steady report`: what the state table remembers. Their
 * help, options and examples; the code is ../history.ts.
 */
import { Option, type Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { addTableOptions, helpAfter } from './options.js';

export function defineStatus(program: Command, ctx: CliContext): void {
  const cmd = addTableOptions(
    program
      .command('status')
      .summary('show every resource with its conditions, from the state table')
      .description(
        'Show every resource steady manages, its phase, reason and age, as the last pass recorded them. Reads only the state table.\n\n' +
          'With --html DIR, write the status page instead: one self-contained HTML file (DIR/index.html) with the environments, ' +
          'their resources, the wiring chain of every service, the drift timeline and the recent passes. With --url, print a ' +
          'short-lived link to the page the deployed Lambda keeps in its private status bucket.',
      )
      .option('--html <dir>', 'write the status page into this folder (index.html) and print its path')
      .option('--since <when>', 'with --html: how far back the drift timeline goes (90m, 24h, 7d, or a date)', '7d')
      .option('--url', 'print a short-lived link to the status page the deployed Lambda keeps in its private status bucket')
      .addOption(new Option('--status-bucket <name>', 'with --url: the status bucket (the stack output StatusBucketName)').env('STEADY_STATUS_BUCKET'))
      .option('--expires <duration>', 'with --url: how long the link works (15m, 1h, up to 7d)', '15m'),
  ).action(runs(ctx, () => import('../history.js'), (m) => m.status));
  helpAfter(
    cmd,
    [
      ['Every resource of every environment', 'steady status --table steady-state'],
      ['The status page of one environment, written to status/index.html', 'steady status --html status/ --env shop-prod --table steady-state'],
      ['A link to the deployed status page, valid for an hour', 'steady status --url --status-bucket my-steady-status --expires 1h'],
    ],
    'Exit codes: 0 shown, 1 the state table (or the status bucket) could not be read, or --env matches no environment in it, 2 usage error (no --table, no region).',
  );
}

export function defineHistory(program: Command, ctx: CliContext): void {
  const cmd = addTableOptions(
    program
      .command('history')
      .summary('list passes, drift events with time-to-heal and maintenance switches, from the state table')
      .description(
        'List the passes (with their verdict and id), the drift events (what differed, when it was seen and healed) and the ' +
          'maintenance switches (on or off, by spec, by command or automatically; who, why and until when) of the given period.',
      )
      .option('--since <when>', 'how far back: a duration (90m, 24h, 7d) or a date', '24h'),
  ).action(runs(ctx, () => import('../history.js'), (m) => m.history));
  helpAfter(
    cmd,
    [
      ['The last 24 hours of every environment', 'steady history --table steady-state'],
      ['A week of two environments', 'steady history --env shop-prod,messaging-prod --since 7d --table steady-state'],
      ['Every production environment (a pattern, quoted from the shell)', "steady history --env '*-prod' --table steady-state"],
    ],
    'Exit codes: 0 listed, 1 the state table could not be read or --env matches no environment in it, 2 usage error (no --table, no region).',
  );
}

export function defineReport(program: Command, ctx: CliContext): void {
  const cmd = addTableOptions(
    program
      .command('report')
      .summary("render a pass's report again, from the state table")
      .description(
        'Print the report of the last recorded pass of each environment (of those given with --env, or of every ' +
          'environment in the table), as `steady reconcile` printed it; --pass ID prints another pass (the ids are in ' +
          '`steady history`).',
      )
      .addOption(new Option('--pass <id>', 'this pass instead of the last one (an id from steady history)').conflicts(['last']))
      .option('--last', 'the last pass of each environment (the default)'),
  ).action(runs(ctx, () => import('../history.js'), (m) => m.report));
  helpAfter(
    cmd,
    [
      ["The last pass's report of shop-prod", 'steady report --env shop-prod --table steady-state'],
      ['An earlier pass, by the id steady history shows', 'steady report --pass shop-prod/2026-01-01T09:00:00.000Z/3fa2c1 --table steady-state'],
    ],
    'Exit codes: 0 printed, 1 no pass recorded (or --env matches no environment in the table) or the state table could not be read, 2 usage error (no --table, no region).',
  );
}
