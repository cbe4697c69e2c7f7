/**
 * What the dispatcher remembers between ticks: per environment, the content hash of the rendered
 * specs it last sent to a worker. On a spec change only environments whose hash moved (or whose
 * last pass failed) are sent again. Losing it costs one full fan-out, never correctness: a missing
 * hash counts as changed.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';
import { batchWrite, queryAll } from './dynamo.js';

/** One environment's last dispatch: `{ pk: 'DISPATCHED', sk: <environment> }`. */
export interface DispatchRecord {
  environment: string;
  specHash: string;
  commit: string;
  dispatchedAt: number;
}

const PK = 'DISPATCHED';

export class DispatchMemory {
  readonly #db: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
    private readonly clock: Clock,
  ) {
    this.#db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Every environment's last dispatch, by name. */
  async load(): Promise<Map<string, DispatchRecord>> {
    const items = await queryAll<DispatchRecord & { pk: string; sk: string }>(
      this.#db,
      { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK } },
      `reading the dispatcher's spec hashes from table ${this.table}`,
    );
    return new Map(items.map(({ environment, specHash, commit, dispatchedAt }) => [environment, { environment, specHash, commit, dispatchedAt }]));
  }

  async save(records: DispatchRecord[]): Promise<void> {
    if (records.length === 0) return;
    await batchWrite(
      this.#db,
      this.table,
      records.map((r) => ({ PutRequest: { Item: { pk: PK, sk: r.environment, type: 'dispatch', ...r } } })),
      this.clock,
      `recording the spec hashes of ${records.length} dispatched environments`,
    );
  }
}
