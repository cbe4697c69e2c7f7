import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { EXAMPLES_FIXTURE, SPECS_DIR } from '../testing/world.js';
import { runCli } from '../testing/cli.js';

const run = runCli;

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable('cli-state');
});
afterAll(() => t.close());

describe('steady status, history and report --last', () => {
  it('show what a recorded pass left in the state table', async () => {
    const reconciled = await run('reconcile', `${SPECS_DIR}shop`, '--sim', EXAMPLES_FIXTURE, '--table', 'cli-state');
    expect(reconciled.code).toBe(0);

    const status = await run('status', '--table', 'cli-state', '--env', 'shop-prod');
    expect(status.code).toBe(0);
    for (const resource of ['Service/api', 'Migration/db-migrate', 'AliasRecord/api-dns', 'AliasRecord/apex-dns']) expect(status.stdout).toContain(resource);

    const history = await run('history', '--table', 'cli-state', '--env', 'shop-prod', '--since', '3650d', '-o', 'json');
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout).passes).toHaveLength(1);

    const report = await run('report', '--last', '--table', 'cli-state', '--env', 'shop-prod');
    expect(report.code).toBe(0);
    expect(report.stdout.split('\n')[0]).toBe('shop-prod: Converging: 2 registered, 1 created, 1 migration run, 2 records changed. 2 converging, 3 created.');
  });

  it('say plainly when no table is given', async () => {
    const { code, stderr } = await run('status');
    expect(code).toBe(1);
    expect(stderr).toBe('steady: no state table: give --table NAME or set STEADY_TABLE\n');
  });
});
