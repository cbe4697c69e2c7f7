/**
 * A state table on a local DynamoDB server (dynalite), created from the same definition the
 * deploy app uses, reached by a default-configured client through AWS_ENDPOINT_URL_DYNAMODB.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SimClock } from '../sim/clock.js';
import { createStateTable } from '../state/table.js';
import { StateStore, type StateStoreOptions } from '../state/store.js';
import { startDynamoDb, useEndpoint, type LocalServer } from './servers.js';

export interface LocalStateTable {
  server: LocalServer;
  client: DynamoDBClient;
  tableName: string;
  clock: SimClock;
  /** A store on the table, with the shared simulated clock unless told otherwise. */
  store(options?: Partial<Omit<StateStoreOptions, 'tableName'>>): StateStore;
  close(): Promise<void>;
}

/**
 * @example
 * const t = await startStateTable();
 * const store = t.store();
 * afterAll(() => t.close());
 */
export async function startStateTable(tableName = 'steady-state'): Promise<LocalStateTable> {
  const server = await startDynamoDb();
  const restore = useEndpoint('DYNAMODB', server.endpoint);
  const client = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
  await createStateTable(client, tableName);
  const clock = new SimClock();
  return {
    server,
    client,
    tableName,
    clock,
    store: (options = {}) => new StateStore({ client, clock, ...options, tableName }),
    close: async () => {
      restore();
      client.destroy();
      await server.close();
    },
  };
}
