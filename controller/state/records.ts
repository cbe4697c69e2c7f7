/**
 * What the store hands back to its readers (the CLI, reports, the engine): plain, JSON-able
 * records without the table's key and bookkeeping attributes.
 */
import type { AlertState } from '../model/alerts.js';
import type { Interruption, PassVerdict } from '../model/outcome.js';
import type { PassResult, SpecSource } from '../model/pass.js';
import type { FieldDiff, Phase, ResourceStatus } from '../model/plan.js';

/** A resource's status as last recorded, with the history a single pass cannot know. */
export interface StoredStatus extends ResourceStatus {
  environment: string;
  /** When the phase last changed (epoch ms): kept across passes while the phase stays the same. */
  lastTransitionTime: number;
  /** The latest failure seen for this resource (kept until a newer one replaces it). */
  lastError?: StoredError;
  /** The pass that wrote this status, and when it finished. */
  passId: string;
  updatedAt: number;
}

export interface StoredError {
  message: string;
  /** The AWS error name, when AWS refused. */
  awsName?: string;
  /** The action that failed, or the status reason of a Failed phase. */
  what: string;
  at: number;
  passId: string;
}

/** One pass, as history keeps it. */
export interface PassRecord {
  passId: string;
  environment: string;
  specVersion?: string;
  /** Who published that commit, as its manifest says. */
  specSource?: SpecSource;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  mode: PassResult['mode'];
  dryRun: boolean;
  outcome: PassResult['outcome'];
  /** What the pass was (model/outcome.ts); absent in records written before it was kept. */
  verdict?: PassVerdict;
  error?: string;
  /** A pass that stopped before it finished: why (out of time, the lease lost, Ctrl-C), where, in words. */
  interrupted?: Interruption;
  /** Actions planned, and what became of them. */
  actions: { planned: number; done: number; failed: number; blocked: number; held: number; pending: number };
  /** AWS API calls by `service:Operation`, and their total. */
  apiCalls: Record<string, number>;
  apiCallCount: number;
  /** Resources by phase after the pass. */
  phases: Record<Phase, number>;
  drift: { detected: number; healed: number };
  /** The failed actions (at most 20), for people. */
  failures: { resource: string; summary: string; message?: string; awsName?: string }[];
  /** The pass's report as the reports module built it (`steady report --last`), when it fit. */
  report?: unknown;
}

/** One drift, from first detection to healing (one record however many passes saw it). */
export interface DriftRecord {
  environment: string;
  resource: string;
  key: string;
  summary: string;
  diff: FieldDiff[];
  detectedAt: number;
  /** The pass that first saw it. */
  detectedBy: string;
  /** When a pass last saw it. */
  lastSeenAt: number;
  healedAt?: number;
  timeToHealMs?: number;
  /** healed: steady healed it; gone: a later pass no longer saw it (fixed elsewhere, or superseded). */
  resolution?: 'healed' | 'gone';
  healedBy?: string;
  /** What steady did to heal it: the changes the healing pass made to the resource. */
  healedWith?: string[];
}

/** One run of one migration version (per attempt), as the ledger records it. */
export interface MigrationEntry {
  environment: string;
  migration: string;
  version: string;
  attempt: number;
  /** The pass that claimed it. */
  passId: string;
  claimedAt: number;
  /** claimed: about to call RunTask; started: the task is known; then its result. */
  state: 'claimed' | 'started' | 'succeeded' | 'failed';
  taskArn?: string;
  startedAt?: number;
  finishedAt?: number;
  /** Why it failed. */
  reason?: string;
}

export interface MigrationKey {
  environment: string;
  migration: string;
  version: string;
  attempt: number;
}

export type MigrationClaim =
  | { claimed: true; entry: MigrationEntry }
  | { claimed: false; by: string; taskArn?: string; state: MigrationEntry['state']; entry: MigrationEntry };

/** An environment that has recorded passes. */
export interface EnvironmentRecord {
  environment: string;
  lastPassId: string;
  lastPassAt: number;
  lastOutcome: PassResult['outcome'];
  /** The last pass's verdict (absent in records written before it was kept); the dispatcher sends a failed one again on a spec change. */
  lastVerdict?: PassVerdict;
}

export type { AlertState };
