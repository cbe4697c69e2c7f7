/**
 * The status page at benchmark size: N services on the simulated account go through a first pass,
 * a quiet pass and a pass after the benchmark's drift (5% of N events), each recorded in a state
 * table on a local DynamoDB server (dynalite), with the wiring checks reconcile runs by default.
 * Then the page is read from the table and rendered: how long reading and rendering take, and
 * how big the page is. Targets: 1000 services render in under 1 s into a page under 2 MB.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { countCalls } from '../controller/aws/clients.js';
import { createAdapters } from '../controller/pass.js';
import { reconcileEnvironment } from '../controller/reconcile.js';
import { createStateTable } from '../controller/state/table.js';
import { StateStore } from '../controller/state/store.js';
import { loadSiteData, renderStatusPage } from '../controller/status-page/index.js';
import { injectDrift } from './drift.js';
import { buildEnvironment } from '../controller/testing/fleet.js';
import { median } from './stats.js';

export interface StatusPageMeasurement {
  services: number;
  /** Resources with a status, Wiring ones included. */
  statuses: number;
  driftEvents: number;
  /** Services whose chain had a broken or unread link when the page was made. */
  brokenChains: number;
  /** Reading everything the page shows from the table (ms). */
  loadMs: number;
  /** Rendering the page: median and slowest of the runs (ms). */
  renderMs: { median: number; max: number };
  runs: number;
  bytes: number;
}

const SETTLE_MS = 15 * 60_000;

/**
 * @example
 * const m = await measureStatusPage(1000); // m.renderMs.median < 1000, m.bytes < 2 MB
 */
export async function measureStatusPage(size: number, runs = 5): Promise<StatusPageMeasurement> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'local', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    await createStateTable(client, 'bench-state');
    const env = buildEnvironment(size);
    const { account, desired } = env;
    const store = new StateStore({ client, tableName: 'bench-state', clock: account.clock });
    const clients = account.clients();
    const calls = countCalls(clients);
    const adapters = createAdapters(clients);
    const pass = () => reconcileEnvironment(desired, { adapters, calls, clock: account.clock, store, holder: 'bench', wiring: { probes: false } });
    await pass();
    account.clock.advance(SETTLE_MS);
    await pass();
    await injectDrift(env, account.clients());
    await pass();

    const loadStart = performance.now();
    const data = await loadSiteData(store, { now: account.clock.now() });
    const loadMs = performance.now() - loadStart;
    const times: number[] = [];
    let page = '';
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      page = renderStatusPage(data);
      times.push(performance.now() - start);
    }
    const statuses = data.environments.flatMap((e) => e.statuses);
    return {
      services: desired.services.length,
      statuses: statuses.length,
      driftEvents: data.environments.reduce((n, e) => n + e.drift.length, 0),
      brokenChains: statuses.filter((s) => s.wiring?.firstBroken !== undefined).length,
      loadMs: Math.round(loadMs),
      renderMs: { median: Math.round(median(times)), max: Math.round(Math.max(...times)) },
      runs,
      bytes: Buffer.byteLength(page, "utf8"),
    };
  } finally {
    client.destroy();
    server.close();
  }
}
