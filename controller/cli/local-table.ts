/**
 * An in-memory state table for `steady demo`: dynalite (a development dependency, there after
 * `npm ci`) on a free port of 127.0.0.1, created from the same definition the deploy app uses.
 * It lives as long as the demo, so the status page the demo writes is drawn from a real table.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../clock.js';
import { createStateTable } from '../state/table.js';
import { StateStore } from '../state/store.js';

export interface LocalTable {
  store: StateStore;
  close(): Promise<void>;
}

/** The table, or why there is none (dynalite not installed). */
export async function startLocalTable(clock: Clock, tableName = 'steady-demo'): Promise<LocalTable | { unavailable: string }> {
  let dynalite: (options: object) => Server;
  try {
    dynalite = ((await import('dynalite')) as { default: typeof dynalite }).default;
  } catch {
    return { unavailable: 'the demo keeps its history in dynalite, a development dependency that is not installed (run npm ci)' };
  }
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A local server, not AWS: its own endpoint and throwaway credentials, whatever the environment says.
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } });
  await createStateTable(client, tableName);
  return {
    store: new StateStore({ client, tableName, clock }),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
