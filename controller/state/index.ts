/** steady's state in DynamoDB: the lease, the migration ledger, statuses, snapshots, history. */
export { StateStore, DEFAULT_LEASE_SAFETY_MARGIN_MS, type StateStoreOptions } from './store.js';
export { Lease, type LeaseItem } from './lease.js';
export { LeaseLostError } from '../errors.js';
export { STATE_TABLE, BY_TIME_INDEX, DEFAULT_RETENTION_MS, createStateTable, stateTableInput } from './table.js';
export type { DriftRecord, EnvironmentRecord, MigrationClaim, MigrationEntry, MigrationKey, PassRecord, StoredError, StoredStatus } from './records.js';
export { snapshotEnvironment, snapshotResource, type ResourceSnapshot } from './snapshot.js';
export {
  formatAge,
  formatDuration,
  historyView,
  parseSince,
  renderHistory,
  renderStatus,
  statusRows,
  type DriftRow,
  type HistoryView,
  type PassRow,
  type StatusRow,
  type ViewOptions,
} from './views.js';
