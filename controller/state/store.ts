/**
 * The state table: the lease, the migration ledger, statuses, observed snapshots, pass history,
 * drift events and alert state, all in one DynamoDB table (see README.md for the item types).
 * AWS stays the truth: losing the table loses history, never correctness.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../clock.js';
import { redactDeep, redactSecrets } from '../spec/secrets.js';
import { StateStoreError } from '../errors.js';
import type { ActualState } from '../model/actual.js';
import type { AlertState, AlertStore } from '../model/alerts.js';
import { actionCounts, countPhases, type PassResult } from '../model/pass.js';
import { driftCounts, passOutcome } from '../model/outcome.js';
import type { DesiredEnvironment, FieldDiff, ResourceStatus } from '../model/plan.js';
import type { WiringChain } from '../model/wiring.js';
import { batchWrite, dynamoCall, isConditionFailed, queryAll, toStateStoreError, type BatchWriteOptions, type WriteRequest } from './dynamo.js';
import { mapLimit } from '../concurrency.js';
import { acquireLease, readLease, type Lease, type LeaseContext, type LeaseItem } from './lease.js';
import { clearOverride, listMaintenanceEvents, loadMaintenance, saveMaintenance, setOverride, type MaintenanceContext } from './maintenance.js';
import type { MaintenanceEvent, MaintenanceMemory, MaintenanceOverride } from '../model/maintenance.js';
import type {
  DriftRecord,
  EnvironmentRecord,
  MigrationClaim,
  MigrationEntry,
  MigrationKey,
  PassRecord,
  StoredError,
  StoredStatus,
} from './records.js';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_ENCODING, SNAPSHOT_PART_BYTES, SnapshotIndex, snapshotEnvironment, snapshotResource, type ResourceSnapshot } from './snapshot.js';
import { BY_TIME_INDEX, DEFAULT_RETENTION_MS, GSI1, iso, keys, SK } from './table.js';

export interface StateStoreOptions {
  /** A DynamoDB client with the SDK's default configuration (`AWS_ENDPOINT_URL_DYNAMODB` works). */
  client: DynamoDBClient;
  tableName: string;
  /** The clock of what is recorded (pass times, retention): the simulated one under `--sim`. */
  clock?: Clock;
  /**
   * The clock the lease reads: the system clock, always, whatever `clock` is. The lease is shared
   * with other processes and invocations, so it must run on the time they all share; a simulated
   * clock starts at the same moment in every process and would let two writers in. Only the
   * lease's own unit tests give another.
   */
  leaseClock?: Clock;
  /** How long history (passes, drift, snapshots, statuses, ledger, alerts) is kept: 90 days by default. */
  retentionMs?: number;
  /**
   * How long before the lease's expiry (on its own clock) a holder stops starting work: must
   * exceed the worst clock skew between invocations plus the longest single AWS call. 30 s.
   */
  leaseSafetyMarginMs?: number;
  /** Tuning of BatchWriteItem retries (tests make the jitter deterministic). */
  batch?: BatchWriteOptions;
  /** Most compressed snapshot bytes in one item (96 KB). */
  snapshotPartBytes?: number;
}

/** The default lease safety margin. */
export const DEFAULT_LEASE_SAFETY_MARGIN_MS = 30_000;

/** Largest diff kept on a status or drift item: entries, and characters per value. */
const MAX_DIFF_ENTRIES = 50;
const MAX_DIFF_VALUE = 1000;
const MAX_FAILURES = 20;
/** Largest compressed report kept on a pass item. */
const MAX_REPORT_BYTES = 200 * 1024;

/** An open drift remembered on its resource's status item, so later passes extend that record. */
interface OpenDrift {
  sk: string;
  detectedAt: number;
  detectedBy: string;
}

type StatusItem = StoredStatus & {
  pk: string;
  sk: string;
  type: 'status';
  ttl: number;
  snapshotParts?: number;
  openDrift?: Record<string, OpenDrift>;
};

type Item = Record<string, unknown>;

const BOOKKEEPING = new Set(['pk', 'sk', 'type', 'ttl', 'gsi1pk', 'gsi1sk', 'snapshotParts', 'openDrift', 'report']);

/** A pass item as a PassRecord, its stored report decoded. */
function withReport(item: Item): PassRecord {
  const { report, ...rest } = item;
  return { ...strip<PassRecord>(rest), ...(report ? { report: decodeSnapshot([report as Uint8Array]) } : {}) };
}

function strip<T>(item: object): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !BOOKKEEPING.has(k))) as T;
}

function clip(value: string | undefined): string | undefined {
  return value !== undefined && value.length > MAX_DIFF_VALUE ? `${value.slice(0, MAX_DIFF_VALUE - 1)}…` : value;
}

/** Evidence lists (targets, tasks) keep this many entries on a status item. */
const MAX_EVIDENCE_ENTRIES = 20;

/** A wiring chain bounded like diffs: long evidence lists and values are cut, saying so. */
function compactChain(chain: WiringChain): WiringChain {
  const value = (v: WiringChain['links'][number]['evidence'][string]): WiringChain['links'][number]['evidence'][string] => {
    if (typeof v === 'string') return clip(v)!;
    if (!Array.isArray(v)) return v;
    const kept = v.slice(0, MAX_EVIDENCE_ENTRIES).map((x) => clip(x)!);
    return v.length > MAX_EVIDENCE_ENTRIES ? [...kept, `… ${v.length - MAX_EVIDENCE_ENTRIES} more`] : kept;
  };
  const links = chain.links.map((l) => ({
    ...l,
    summary: clip(l.summary)!,
    ...(l.message !== undefined ? { message: clip(l.message) } : {}),
    evidence: Object.fromEntries(Object.entries(l.evidence).map(([k, v]) => [k, value(v)])),
  }));
  return { ...chain, links };
}

/**
 * Diffs are for people; keep them bounded so an item never grows with a task definition, and
 * secret-shaped values (observed in AWS, never from a spec) out of the table.
 */
function compactDiff(diff: FieldDiff[]): FieldDiff[] {
  const kept = redactDeep(diff.slice(0, MAX_DIFF_ENTRIES)).map((d) => ({ path: d.path, before: clip(d.before), after: clip(d.after) }));
  if (diff.length > MAX_DIFF_ENTRIES) kept.push({ path: `… ${diff.length - MAX_DIFF_ENTRIES} more differences`, before: undefined, after: undefined });
  return kept;
}

/**
 * steady's state in one DynamoDB table.
 *
 * @example
 * const store = new StateStore({ client: new DynamoDBClient({ region }), tableName: 'steady-state' });
 * const lease = await store.acquireLease('shop-prod', passId, 5 * 60_000); // LeaseHeldError if taken
 * try {
 *   const run = { environment: 'shop-prod', migration: 'db-migrate', version, attempt: 0 };
 *   lease.assertHeld(); // before every change to AWS
 *   const claim = await store.claimMigration({ ...run, passId });
 *   if (claim.claimed) {
 *     const task = await ecs.runTask(...);
 *     await store.recordMigrationTask({ ...run, taskArn: task.arn });
 *   } else if (!claim.taskArn) {
 *     // claimed by a pass that died before recording its task: find it by its startedBy
 *   }
 *   await lease.renewIfDue();
 *   await store.savePass(result, actual, { desired });
 * } finally {
 *   await lease.release();
 * }
 */
export class StateStore implements AlertStore {
  readonly tableName: string;
  readonly retentionMs: number;
  readonly #db: DynamoDBDocumentClient;
  readonly #clock: Clock;
  readonly #lease: LeaseContext;
  readonly #batch: BatchWriteOptions;
  readonly #partBytes: number;

  constructor(options: StateStoreOptions) {
    this.tableName = options.tableName;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#clock = options.clock ?? systemClock;
    this.#db = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.#lease = { db: this.#db, table: this.tableName, clock: options.leaseClock ?? systemClock, safetyMarginMs: options.leaseSafetyMarginMs ?? DEFAULT_LEASE_SAFETY_MARGIN_MS };
    this.#batch = options.batch ?? {};
    this.#partBytes = options.snapshotPartBytes ?? SNAPSHOT_PART_BYTES;
  }

  /** The TTL attribute's value for an item written now (epoch seconds). */
  #ttl(): number {
    return Math.floor((this.#clock.now() + this.retentionMs) / 1000);
  }

  // ------------------------------------------------------------------------------------- lease

  /**
   * Takes the environment's lease for `ttlMs` when nobody holds it (no lease, released, or past
   * the expiry its holder wrote). Throws LeaseHeldError (holder, until when) otherwise.
   */
  acquireLease(environment: string, holder: string, ttlMs: number): Promise<Lease> {
    return acquireLease(this.#lease, environment, holder, ttlMs);
  }

  /** The lease item as stored (for `steady status` and diagnostics). */
  readLease(environment: string): Promise<LeaseItem | undefined> {
    return readLease(this.#lease, environment);
  }

  // ------------------------------------------------------------------------------ maintenance

  get #maintenance(): MaintenanceContext {
    return { db: this.#db, table: this.tableName, clock: this.#clock, ttl: () => this.#ttl(), batch: this.#batch };
  }

  /** What the table remembers of each Maintenance of an environment, by name (see `state/maintenance.ts`). */
  loadMaintenance(environment: string): Promise<Record<string, MaintenanceMemory>> {
    return loadMaintenance(this.#maintenance, environment);
  }

  /** What a pass leaves of each Maintenance, and its switches as history. */
  saveMaintenance(environment: string, memories: MaintenanceMemory[], events: MaintenanceEvent[]): Promise<void> {
    return saveMaintenance(this.#maintenance, environment, memories, events);
  }

  /** `steady maintenance on`: a window on one Maintenance (hold the lease). */
  setMaintenanceOverride(environment: string, name: string, override: MaintenanceOverride): Promise<void> {
    return setOverride(this.#maintenance, environment, name, override);
  }

  /** `steady maintenance off`: ends the window and an automatic switch (hold the lease). */
  clearMaintenanceOverride(environment: string, name: string, memory: MaintenanceMemory | undefined): Promise<void> {
    return clearOverride(this.#maintenance, environment, memory, name);
  }

  /** Maintenance switches since `since`, newest first. */
  listMaintenanceEvents(environment: string, since: number): Promise<MaintenanceEvent[]> {
    return listMaintenanceEvents(this.#maintenance, environment, since);
  }

  // -------------------------------------------------------------------------- migration ledger

  /**
   * Claims one run of a migration version before RunTask. Exactly one caller gets
   * `{ claimed: true }`; the others learn who claimed it and what is known of its task.
   */
  async claimMigration(claim: MigrationKey & { passId: string }): Promise<MigrationClaim> {
    const entry: MigrationEntry = { ...claim, claimedAt: this.#clock.now(), state: 'claimed' };
    const key = keys.migration(claim.environment, claim.migration, claim.version, claim.attempt);
    const doing = `claiming migration ${claim.migration} version ${claim.version} attempt ${claim.attempt} in environment ${claim.environment} (table ${this.tableName})`;
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, type: 'migration', ...entry, ttl: this.#ttl() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { claimed: true, entry };
    } catch (cause) {
      if (!isConditionFailed(cause)) throw toStateStoreError(doing, cause);
    }
    const existing = await this.getMigration(claim);
    if (!existing) throw new StateStoreError(`${doing}: the claim was refused but no claim is stored; try again`, { transient: true });
    return { claimed: false, by: existing.passId, taskArn: existing.taskArn, state: existing.state, entry: existing };
  }

  /**
   * Claims the right to say `notice` (e.g. `specs-removed#<from>#<to>`): true for exactly one
   * caller however many ask at once (a conditional put), false for everyone after. The item
   * expires with the retention, so a notice is said at most once in that time.
   *
   * @example
   * if (await store.claimNotice(`specs-removed#${previous}#${commit}`, passId)) logger.warn(message);
   */
  async claimNotice(notice: string, by: string): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.notice(notice), type: 'notice', notice, by, at: this.#clock.now(), ttl: this.#ttl() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (cause) {
      if (isConditionFailed(cause)) return false;
      throw toStateStoreError(`claiming notice ${notice} (table ${this.tableName})`, cause);
    }
  }

  /** The ledger entry of one run of a migration version, if any (strongly consistent). */
  async getMigration(key: MigrationKey): Promise<MigrationEntry | undefined> {
    const out = await dynamoCall(`reading migration ${key.migration} version ${key.version} attempt ${key.attempt} of environment ${key.environment} (table ${this.tableName})`, () =>
      this.#db.send(new GetCommand({ TableName: this.tableName, Key: keys.migration(key.environment, key.migration, key.version, key.attempt), ConsistentRead: true })),
    );
    return out.Item ? strip<MigrationEntry>(out.Item) : undefined;
  }

  /** Every ledger entry of an environment (optionally of one migration), oldest version first. */
  async listMigrations(environment: string, migration?: string): Promise<MigrationEntry[]> {
    const items = await queryAll<Item>(
      this.#db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':prefix': migration ? `${SK.migration}${migration}#` : SK.migration },
      },
      `listing migrations of environment ${environment} (table ${this.tableName})`,
    );
    return items.map((i) => strip<MigrationEntry>(i));
  }

  /**
   * Records the task RunTask started for a claimed run. Recording the same task again is a no-op;
   * a different task, or a run nobody claimed, is a StateStoreError.
   */
  async recordMigrationTask(record: MigrationKey & { taskArn: string; startedAt?: number }): Promise<MigrationEntry> {
    const what = `migration ${record.migration} version ${record.version} attempt ${record.attempt} in environment ${record.environment}`;
    const doing = `recording task ${record.taskArn} of ${what} (table ${this.tableName})`;
    try {
      const out = await this.#db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.migration(record.environment, record.migration, record.version, record.attempt),
          UpdateExpression: 'SET taskArn = :arn, startedAt = :startedAt, #state = :started',
          ConditionExpression: 'attribute_exists(pk) AND #state = :claimed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':arn': record.taskArn, ':startedAt': record.startedAt ?? this.#clock.now(), ':started': 'started', ':claimed': 'claimed' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<MigrationEntry>(out.Attributes ?? {});
    } catch (cause) {
      if (!isConditionFailed(cause)) throw toStateStoreError(doing, cause);
    }
    const existing = await this.getMigration(record);
    if (!existing) throw new StateStoreError(`${doing}: ${what} was never claimed; claim it before RunTask`);
    if (existing.taskArn === record.taskArn) return existing;
    throw new StateStoreError(`${doing}: the ledger already records ${existing.taskArn ? `task ${existing.taskArn}` : `state ${existing.state}`} for it (claimed by ${existing.passId})`);
  }

  /**
   * Records how a run ended. Written even when no claim is stored (the table was recreated
   * while the task ran): the task ran, so the version is taken.
   */
  async recordMigrationResult(
    record: MigrationKey & { result: 'succeeded' | 'failed'; reason?: string; finishedAt?: number; taskArn?: string; passId?: string },
  ): Promise<MigrationEntry> {
    const now = this.#clock.now();
    const values: Item = {
      ':state': record.result,
      ':finishedAt': record.finishedAt ?? now,
      ':now': now,
      ':passId': record.passId ?? 'unknown',
      ':env': record.environment,
      ':migration': record.migration,
      ':version': record.version,
      ':attempt': record.attempt,
      ':type': 'migration',
      ':ttl': this.#ttl(),
    };
    const sets = [
      '#state = :state',
      'finishedAt = :finishedAt',
      '#type = :type',
      'environment = :env',
      'migration = :migration',
      '#version = :version',
      'attempt = :attempt',
      'passId = if_not_exists(passId, :passId)',
      'claimedAt = if_not_exists(claimedAt, :now)',
      '#ttl = :ttl',
    ];
    if (record.taskArn) {
      sets.push('taskArn = if_not_exists(taskArn, :arn)');
      values[':arn'] = record.taskArn;
    }
    if (record.reason) {
      sets.push('reason = :reason');
      values[':reason'] = record.reason;
    }
    const out = await dynamoCall(
      `recording the result (${record.result}) of migration ${record.migration} version ${record.version} attempt ${record.attempt} in environment ${record.environment} (table ${this.tableName})`,
      () =>
        this.#db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.migration(record.environment, record.migration, record.version, record.attempt),
            UpdateExpression: `SET ${sets.join(', ')}${record.reason ? '' : ' REMOVE reason'}`,
            ExpressionAttributeNames: { '#state': 'state', '#type': 'type', '#version': 'version', '#ttl': 'ttl' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
    );
    return strip<MigrationEntry>(out.Attributes ?? {});
  }

  // ------------------------------------------------------------------- passes, status, drift

  /**
   * Records a pass: its history item, the status and observed snapshot of every resource, and
   * its drift events. Statuses keep `lastTransitionTime` while their phase stays the same; a
   * drift seen by several passes stays one record until healed. Only a pass that ran to the end
   * (`outcome: 'ok'` with a plan, not interrupted) removes the statuses of resources no longer in the specs.
   * `desired` helps map spec names to AWS names in snapshots.
   */
  async savePass(result: PassResult, actual?: ActualState, options: { desired?: DesiredEnvironment; report?: unknown } = {}): Promise<void> {
    const env = result.environment;
    const doing = `saving pass ${result.passId} of environment ${env} to table ${this.tableName}`;
    const ttl = this.#ttl();
    const complete = result.outcome === 'ok' && result.plan !== undefined && result.interrupted === undefined;
    const previous = new Map((await this.#statusItems(env)).map((s) => [s.resource, s]));
    const writes = new Map<string, WriteRequest>();
    const put = (item: Item) => writes.set(`${item.pk}\u0000${item.sk}`, { PutRequest: { Item: item } });
    const del = (key: { pk: string; sk: string }) => writes.set(`${key.pk}\u0000${key.sk}`, { DeleteRequest: { Key: key } });
    const closes: { sk: string; at: number }[] = [];
    const observedAt = actual?.observedAt ?? result.startedAt;

    const driftByResource = new Map<string, PassResult['drift']>();
    for (const d of result.drift) driftByResource.set(d.resource, [...(driftByResource.get(d.resource) ?? []), d]);

    // What steady did about a drift it healed: the changes this pass made to the resource.
    const healedWith = (resource: string): { healedWith?: string[] } => {
      const done = result.outcomes.filter((o) => o.resource === resource && o.state === 'done').map((o) => clip(o.summary)!);
      return done.length ? { healedWith: done.slice(0, MAX_FAILURES) } : {};
    };
    const writeDrift = (d: PassResult['drift'][number], open: OpenDrift | undefined): OpenDrift => {
      const detectedAt = open?.detectedAt ?? d.detectedAt;
      const sk = open?.sk ?? keys.drift(env, detectedAt, d.key).sk;
      const healed = d.healedAt !== undefined;
      const record: DriftRecord = {
        environment: env,
        resource: d.resource,
        key: d.key,
        summary: d.summary,
        diff: compactDiff(d.diff.map((x) => ({ path: x.path, before: x.before, after: x.after }))),
        detectedAt,
        detectedBy: open?.detectedBy ?? result.passId,
        lastSeenAt: d.detectedAt,
        ...(healed ? { healedAt: d.healedAt, timeToHealMs: d.healedAt! - detectedAt, resolution: 'healed' as const, healedBy: result.passId, ...healedWith(d.resource) } : {}),
      };
      put({ pk: keys.environmentPk(env), sk, type: 'drift', ...record, ttl, gsi1pk: GSI1.drift, gsi1sk: `${iso(detectedAt)}#${env}#${d.key}` });
      return { sk, detectedAt, detectedBy: record.detectedBy };
    };

    const current = new Set(result.resources.map((r) => r.resource));
    // One index for every resource's snapshot: each stays linear in the environment's size.
    const snapshots = actual && new SnapshotIndex(actual, options.desired);
    for (const status of result.resources) {
      const prev = previous.get(status.resource);
      // Drift: extend the open records of this resource, open new ones, close what is gone.
      const open: Record<string, OpenDrift> = {};
      const seen = new Set<string>();
      for (const d of driftByResource.get(status.resource) ?? []) {
        seen.add(d.key);
        const written = writeDrift(d, prev?.openDrift?.[d.key]);
        if (d.healedAt === undefined) open[d.key] = written;
      }
      for (const [key, o] of Object.entries(prev?.openDrift ?? {})) {
        if (seen.has(key)) continue;
        if (complete) closes.push({ sk: o.sk, at: observedAt });
        else open[key] = o;
      }
      driftByResource.delete(status.resource);

      let snapshotParts = prev?.snapshotParts;
      if (actual) {
        const parts = encodeSnapshot(snapshotResource(actual, status, options.desired, snapshots), this.#partBytes);
        this.#putSnapshot(put, env, status.resource, parts, result.passId, ttl);
        for (let i = parts.length; i < (prev?.snapshotParts ?? 0); i++) del(keys.snapshot(env, status.resource, i));
        snapshotParts = parts.length;
      }

      const item: StatusItem = {
        ...keys.status(env, status.resource),
        type: 'status',
        environment: env,
        resource: status.resource,
        kind: status.kind,
        name: status.name,
        phase: status.phase,
        reason: status.reason,
        message: redactSecrets(status.message),
        diff: compactDiff(status.diff),
        specHash: status.specHash,
        ...(status.notes?.length ? { notes: status.notes } : {}),
        ...(status.wiring ? { wiring: compactChain(status.wiring) } : {}),
        ...(status.maintenance ? { maintenance: status.maintenance } : {}),
        lastTransitionTime: prev && prev.phase === status.phase ? prev.lastTransitionTime : result.finishedAt,
        lastError: redactDeep(this.#lastError(result, status)) ?? prev?.lastError,
        passId: result.passId,
        updatedAt: result.finishedAt,
        ttl,
        snapshotParts,
        ...(Object.keys(open).length > 0 ? { openDrift: open } : {}),
      };
      put(item as unknown as Item);
    }
    // Drift of resources without a status in this pass: recorded, but nothing to remember it on.
    for (const events of driftByResource.values()) for (const d of events) writeDrift(d, undefined);

    if (complete) {
      for (const [resource, prev] of previous) {
        if (current.has(resource)) continue;
        del(keys.status(env, resource));
        for (let i = 0; i < (prev.snapshotParts ?? 0); i++) del(keys.snapshot(env, resource, i));
        for (const o of Object.values(prev.openDrift ?? {})) closes.push({ sk: o.sk, at: observedAt });
      }
    }
    if (actual) this.#putSnapshot(put, env, `Environment/${env}`, encodeSnapshot(snapshotEnvironment(actual), this.#partBytes), result.passId, ttl);

    // Statuses, snapshots and drift first; the pass item last, so a recorded pass implies its statuses are.
    await batchWrite(this.#db, this.tableName, [...writes.values()], this.#clock, doing, this.#batch);
    await this.#closeDrifts(env, closes, result.passId, doing);
    await batchWrite(this.#db, this.tableName, [{ PutRequest: { Item: this.#passItem(result, ttl, options.report) } }, { PutRequest: { Item: this.#environmentItem(result, ttl) } }], this.#clock, doing, this.#batch);
  }

  #putSnapshot(put: (item: Item) => void, env: string, resource: string, parts: Uint8Array[], passId: string, ttl: number): void {
    parts.forEach((data, part) => {
      const header = part === 0 ? { encoding: SNAPSHOT_ENCODING, parts: parts.length } : {};
      put({ ...keys.snapshot(env, resource, part), type: 'snapshot', environment: env, resource, passId, part, ...header, data, ttl });
    });
  }

  #lastError(result: PassResult, status: ResourceStatus): StoredError | undefined {
    const failed = result.outcomes.filter((o) => o.resource === status.resource && o.state === 'failed');
    const last = failed[failed.length - 1];
    if (last) {
      return { message: last.message ?? last.summary, awsName: last.awsName, what: last.summary, at: last.finishedAt ?? result.finishedAt, passId: result.passId };
    }
    if (status.phase === 'Failed') return { message: status.message, what: status.reason, at: result.finishedAt, passId: result.passId };
    return undefined;
  }

  /** Closes drift records that a complete pass no longer saw (fixed elsewhere, or superseded). */
  async #closeDrifts(env: string, closes: { sk: string; at: number }[], passId: string, doing: string): Promise<void> {
    for (const c of closes) {
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: keys.environmentPk(env), sk: c.sk },
            UpdateExpression: 'SET healedAt = :at, timeToHealMs = :at - detectedAt, resolution = :gone, healedBy = :pass',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(healedAt)',
            ExpressionAttributeValues: { ':at': c.at, ':gone': 'gone', ':pass': passId },
          }),
        );
      } catch (cause) {
        // Already closed, or gone with a recreated table: nothing to close.
        if (!isConditionFailed(cause)) throw toStateStoreError(`${doing} (closing drift ${c.sk})`, cause);
      }
    }
  }

  #passItem(result: PassResult, ttl: number, report?: unknown): Item {
    // The rendered report, for `steady report --last`: kept when it fits one part.
    const encoded = report === undefined ? [] : encodeSnapshot(report, MAX_REPORT_BYTES);
    const passed = passOutcome(result);
    const drift = driftCounts(result, passed);
    const record: PassRecord = redactDeep({
      passId: result.passId,
      environment: result.environment,
      specVersion: result.specVersion,
      ...(result.specSource ? { specSource: result.specSource } : {}),
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      durationMs: result.finishedAt - result.startedAt,
      mode: result.mode,
      dryRun: result.dryRun,
      outcome: result.outcome,
      verdict: passed.verdict,
      error: result.error,
      ...(result.interrupted ? { interrupted: result.interrupted } : {}),
      actions: actionCounts(result),
      apiCalls: result.apiCalls,
      apiCallCount: Object.values(result.apiCalls).reduce((a, b) => a + b, 0),
      phases: countPhases(result.resources),
      drift: { detected: drift.found, healed: drift.healed },
      failures: result.outcomes
        .filter((o) => o.state === 'failed')
        .slice(0, MAX_FAILURES)
        .map((o) => ({ resource: o.resource, summary: o.summary, message: clip(o.message), awsName: o.awsName })),
    });
    return {
      ...keys.pass(result.environment, result.startedAt, result.passId),
      type: 'pass',
      ...record,
      ttl,
      gsi1pk: GSI1.pass,
      gsi1sk: `${iso(result.startedAt)}#${result.environment}#${result.passId}`,
      ...(encoded.length === 1 ? { report: encoded[0] } : {}),
    };
  }

  #environmentItem(result: PassResult, ttl: number): Item {
    const record: EnvironmentRecord = { environment: result.environment, lastPassId: result.passId, lastPassAt: result.finishedAt, lastOutcome: result.outcome, lastVerdict: passOutcome(result).verdict };
    return { ...keys.environment(result.environment), type: 'environment', ...record, ttl };
  }

  async #statusItems(environment: string): Promise<StatusItem[]> {
    return queryAll<StatusItem>(
      this.#db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':prefix': SK.status },
        ConsistentRead: true,
      },
      `reading statuses of environment ${environment} from table ${this.tableName}`,
    );
  }

  // ------------------------------------------------------------------------------------- reads

  /** Environments that recorded a pass, by name. */
  async listEnvironments(): Promise<EnvironmentRecord[]> {
    const items = await queryAll<Item>(
      this.#db,
      { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.environmentsPk } },
      `listing environments in table ${this.tableName}`,
    );
    return items.map((i) => strip<EnvironmentRecord>(i));
  }

  /** Every resource's last recorded status, of one environment or of all, by environment then resource. */
  async loadStatuses(environment?: string): Promise<StoredStatus[]> {
    const environments = environment ? [environment] : (await this.listEnvironments()).map((e) => e.environment);
    const lists = await mapLimit(environments, 8, (env) => this.#statusItems(env));
    return lists.flat().map((i) => strip<StoredStatus>(i));
  }

  /** Passes that started at or after `since` (epoch ms), newest first. */
  async listPasses(environment: string | undefined, since: number): Promise<PassRecord[]> {
    return (await this.#history('pass', environment, since)).map((i) => strip<PassRecord>(i));
  }

  /** The `limit` most recent passes of an environment, newest first (one query page). */
  async recentPasses(environment: string, limit: number): Promise<PassRecord[]> {
    const out = await dynamoCall(`reading the last ${limit} passes of environment ${environment} from table ${this.tableName}`, () =>
      this.#db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':prefix': SK.pass },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []).map((i) => strip<PassRecord>(i));
  }

  /** Drift records detected at or after `since` (epoch ms), newest first. */
  async listDrift(environment: string | undefined, since: number): Promise<DriftRecord[]> {
    return (await this.#history('drift', environment, since)).map((i) => strip<DriftRecord>(i));
  }

  async #history(type: 'pass' | 'drift', environment: string | undefined, since: number): Promise<Item[]> {
    const prefix = type === 'pass' ? SK.pass : SK.drift;
    const doing = `listing ${type === 'pass' ? 'passes' : 'drift events'}${environment ? ` of environment ${environment}` : ''} since ${iso(since)} from table ${this.tableName}`;
    if (environment) {
      return queryAll<Item>(
        this.#db,
        {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':from': `${prefix}${iso(since)}`, ':to': `${prefix}\uffff` },
          ScanIndexForward: false,
        },
        doing,
      );
    }
    return queryAll<Item>(
      this.#db,
      {
        TableName: this.tableName,
        IndexName: BY_TIME_INDEX,
        KeyConditionExpression: 'gsi1pk = :type AND gsi1sk >= :from',
        ExpressionAttributeValues: { ':type': type === 'pass' ? GSI1.pass : GSI1.drift, ':from': iso(since) },
        ScanIndexForward: false,
      },
      doing,
    );
  }

  /** The most recent pass of an environment. */
  async lastPass(environment: string): Promise<PassRecord | undefined> {
    const out = await dynamoCall(`reading the last pass of environment ${environment} from table ${this.tableName}`, () =>
      this.#db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':prefix': SK.pass },
          ScanIndexForward: false,
          Limit: 1,
        }),
      ),
    );
    const item = out.Items?.[0];
    return item ? withReport(item) : undefined;
  }

  /**
   * A recorded pass by its id (`<environment>/<ISO time>/<random>`, as `steady history` shows it),
   * with its report; undefined when the table holds no such pass. The id says when the pass began,
   * so only the passes that started in the hour after that time are read.
   */
  async passById(passId: string): Promise<PassRecord | undefined> {
    const m = /^(.+)\/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\/[0-9a-z]+$/.exec(passId);
    const from = m ? Date.parse(m[2]) : NaN;
    if (!m || Number.isNaN(from)) return undefined;
    const items = await queryAll<Item>(
      this.#db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'passId = :id',
        ExpressionAttributeValues: { ':pk': keys.environmentPk(m[1]), ':from': `${SK.pass}${iso(from)}`, ':to': `${SK.pass}${iso(from + 3_600_000)}\uffff`, ':id': passId },
      },
      `reading pass ${passId} from table ${this.tableName}`,
    );
    return items[0] ? withReport(items[0]) : undefined;
  }

  /** The last observed snapshot of one resource (`Environment/<env>` for the environment's own). */
  async loadSnapshot(environment: string, resource: string): Promise<ResourceSnapshot | undefined> {
    const doing = `reading the snapshot of ${resource} in environment ${environment} from table ${this.tableName}`;
    const head = await dynamoCall(doing, () =>
      this.#db.send(new GetCommand({ TableName: this.tableName, Key: keys.snapshot(environment, resource), ConsistentRead: true })),
    );
    if (!head.Item) return undefined;
    const parts = [head.Item.data as Uint8Array];
    for (let i = 1; i < (head.Item.parts as number); i++) {
      const out = await dynamoCall(doing, () =>
        this.#db.send(new GetCommand({ TableName: this.tableName, Key: keys.snapshot(environment, resource, i), ConsistentRead: true })),
      );
      if (out.Item?.passId !== head.Item.passId) throw new StateStoreError(`${doing}: part ${i} of ${head.Item.parts} (pass ${head.Item.passId}) is missing`);
      parts.push(out.Item!.data as Uint8Array);
    }
    return decodeSnapshot(parts);
  }

  /** Every snapshot of an environment, by resource. */
  async loadSnapshots(environment: string): Promise<Record<string, ResourceSnapshot>> {
    const items = await queryAll<Item>(
      this.#db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':prefix': SK.snapshot },
      },
      `reading snapshots of environment ${environment} from table ${this.tableName}`,
    );
    const byResource = new Map<string, Item[]>();
    for (const i of items) byResource.set(i.resource as string, [...(byResource.get(i.resource as string) ?? []), i]);
    const out: Record<string, ResourceSnapshot> = {};
    for (const [resource, list] of byResource) {
      const head = list.find((i) => i.part === 0);
      if (!head) continue;
      const parts = list.filter((i) => i.passId === head.passId && (i.part as number) < (head.parts as number)).sort((a, b) => (a.part as number) - (b.part as number));
      if (parts.length !== head.parts) continue;
      out[resource] = decodeSnapshot(parts.map((p) => p.data as Uint8Array));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------ alerts

  /** Every alert still open (or owed a message) for an environment. */
  async load(environment: string): Promise<AlertState[]> {
    const items = await queryAll<Item>(
      this.#db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':prefix': SK.alert },
        ConsistentRead: true,
      },
      `loading alerts of environment ${environment} from table ${this.tableName}`,
    );
    return items.map((i) => {
      const { environment: _env, updatedAt: _at, ...alert } = strip<AlertState & { environment: string; updatedAt: number }>(i);
      return alert;
    });
  }

  /** Writes `upserts` and deletes the alerts whose keys are in `removed` (removal wins). */
  async save(environment: string, upserts: AlertState[], removed: string[]): Promise<void> {
    const ttl = this.#ttl();
    const now = this.#clock.now();
    const writes = new Map<string, WriteRequest>();
    for (const a of upserts) writes.set(a.key, { PutRequest: { Item: { ...keys.alert(environment, a.key), type: 'alert', environment, ...a, updatedAt: now, ttl } } });
    for (const k of removed) writes.set(k, { DeleteRequest: { Key: keys.alert(environment, k) } });
    await batchWrite(this.#db, this.tableName, [...writes.values()], this.#clock, `saving alerts of environment ${environment} to table ${this.tableName}`, this.#batch);
  }
}
