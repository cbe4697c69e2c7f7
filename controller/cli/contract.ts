/**
 * The `--output json` contract of every command, as zod schemas: the single source of the JSON
 * Schema in docs/output.schema.json (`npm run schemas` writes it; a test fails when it is out of
 * date, and another checks every command's output against it). Every document is one object with
 * `formatVersion`, `command`, `exitCode` (the process's exit code) and the command's natural list
 * (`environments`, `resources`, `passes`, `commits`, ...), present even when the command failed;
 * a failure adds `error`. Timestamps are ISO 8601 in UTC (`2026-01-01T09:00:00.000Z`), durations
 * milliseconds (`...Ms`). A change that could break a reader bumps `FORMAT_VERSION`; new optional
 * fields do not.
 */
import { z } from 'zod';
import type { ActionKind } from '../model/plan.js';
import { ACTION_ORDER } from '../report/model.js';
import { LINK_NAMES } from '../wiring/types.js';
import { FORMAT_VERSION } from './context.js';

/** The version of the JSON documents; readers should check it (kept in context.ts, which `--help` loads). */
export { FORMAT_VERSION };

const iso = () => z.iso.datetime().describe('ISO 8601 time in UTC');
const count = () => z.int().min(0);

const ACTION_KINDS = ACTION_ORDER as [ActionKind, ...ActionKind[]];
const RESOURCE_KINDS = ['Service', 'Migration', 'ScheduledTask', 'AliasRecord', 'Maintenance', 'Wiring'] as const;
const PHASES = ['Synced', 'Drifted', 'Progressing', 'Blocked', 'Failed'] as const;
const CAUSE_KINDS = ['noCredentials', 'credentialsRejected', 'unreachable', 'accessDenied', 'throttled', 'serverError', 'other'] as const;

export const Problem = z
  .strictObject({
    file: z.string(),
    line: z.int(),
    column: z.int(),
    path: z.string(),
    message: z.string(),
    /** The environments whose overlay's rendering met the problem (a base's value, an overlay's patch). */
    rendering: z.array(z.string()).optional(),
  })
  .meta({ id: 'Problem' });

const SourceLocationJson = z.strictObject({ file: z.string(), line: z.int(), column: z.int(), rendering: z.array(z.string()).optional() });

/** Why a command failed as a whole (invalid specs, the state table unreadable, ...). */
export const ErrorJson = z
  .strictObject({
    /** `invalidSpecs`, `usage`, `config`, an S3 error kind, or an error class name. */
    kind: z.string(),
    message: z.string(),
    problems: z.array(Problem).optional(),
  })
  .meta({ id: 'Error' });

const FieldDiff = z
  .strictObject({
    path: z.string(),
    before: z.string().optional(),
    after: z.string().optional(),
    specValue: z.string().optional().describe('the value as the spec writes it, when `after` is its resolved form (an image tag pinned to its digest)'),
  })
  .meta({ id: 'FieldDiff' });

export const AwsCauseJson = z
  .strictObject({ kind: z.enum(CAUSE_KINDS), action: z.string(), doing: z.string(), code: z.string(), message: z.string(), httpStatus: z.int().optional() })
  .meta({ id: 'AwsCause' });

/** One distinct reason AWS could not be read, said once. */
export const CauseJson = z.strictObject({ kind: z.enum(CAUSE_KINDS), text: z.string(), advice: z.string(), actions: z.array(z.string()) }).meta({ id: 'Cause' });

export const PASS_VERDICTS = ['converged', 'converging', 'changesPending', 'drifted', 'unrepaired', 'failed', 'unknown', 'skipped', 'interrupted'] as const;
export const RESOURCE_OUTCOMES = ['synced', 'created', 'healed', 'converging', 'wouldChange', 'unrepaired', 'failed', 'unknown'] as const;
const REPAIR_BLOCKS = ['observe', 'changeBudget', 'conflict', 'migration', 'dependency', 'aws', 'unexpressible', 'none'] as const;

const ActionJson = z
  .strictObject({
    id: z.string(),
    kind: z.enum(ACTION_KINDS),
    summary: z.string(),
    state: z.enum(['done', 'failed', 'blocked', 'held', 'pending', 'notRun']),
    message: z.string().optional(),
    awsName: z.string().optional(),
    durationMs: count().optional(),
  })
  .meta({ id: 'Action' });

const ResourceJson = z
  .strictObject({
    resource: z.string(),
    kind: z.enum(RESOURCE_KINDS),
    name: z.string(),
    outcome: z.enum(RESOURCE_OUTCOMES),
    blockedBy: z.enum(REPAIR_BLOCKS).optional(),
    unread: z.array(z.strictObject({ what: z.string(), cause: z.enum(CAUSE_KINDS).optional() })).optional(),
    change: z.enum(['create', 'update', 'none']),
    phase: z.enum(PHASES),
    reason: z.string(),
    message: z.string(),
    drift: z.array(FieldDiff),
    actions: z.array(ActionJson),
    notes: z.array(z.string()),
    awsName: z.string().optional(),
    driftKey: z.string().optional(),
    detectedAt: iso().optional(),
    healedAt: iso().optional(),
    timeToHealMs: count().optional(),
  })
  .meta({ id: 'Resource' });

const actionCounts = z.partialRecord(z.enum(ACTION_KINDS), count());

export const NotificationsJson = z
  .strictObject({
    sent: z.array(z.strictObject({ channel: z.enum(['slack', 'email']), notifications: z.array(z.string()), attempts: z.int().optional(), messageId: z.string().optional() })),
    failed: z.array(z.strictObject({ channel: z.string(), error: z.string(), transient: z.boolean() })),
    skipped: z.enum(['dryRun', 'noTargets', 'alertsUnreadable']).optional(),
  })
  .meta({ id: 'Notifications', description: 'What the Slack and email notifications of the pass came to.' });

export const InterruptedJson = z
  .strictObject({ reason: z.enum(['outOfTime', 'leaseLost', 'aborted']), stage: z.enum(['observe', 'converge', 'wiring', 'record']), message: z.string() })
  .meta({ id: 'Interrupted', description: 'Why a pass stopped before it finished, and in which stage.' });

export const LeaseJson = z
  .strictObject({
    state: z.enum(['held', 'none', 'notNeeded']),
    table: z.string().optional(),
    holder: z.string().optional(),
    /** The lease's fencing version this run held. */
    version: z.int().optional(),
    /** `held`: how it ended: released for the next writer, lost to another holder, or left to expire. */
    end: z.enum(['released', 'lost', 'expires']).optional(),
    message: z.string().optional(),
  })
  .meta({ id: 'Lease', description: "The environment's lease, as this run held it (or why it took none)." });

/** One environment's pass: its report, verdict, exit code and summary line. */
export const PassJson = z
  .strictObject({
    environment: z.string(),
    passId: z.string(),
    specVersion: z.string().optional(),
    startedAt: iso(),
    finishedAt: iso(),
    durationMs: count(),
    mode: z.enum(['enforce', 'observe']),
    dryRun: z.boolean(),
    kind: z.enum(['plan', 'reconcile']),
    held: z.enum(['observe', 'dryRun', 'changeBudget']).optional(),
    heldBecause: z.string().optional(),
    budget: z.strictObject({ limit: count(), used: count(), exceeded: z.boolean() }).optional(),
    verdict: z.enum(PASS_VERDICTS),
    /** The exit code this pass alone would give its command. */
    exitCode: z.int(),
    /** The first line a person reads. */
    summary: z.string(),
    causes: z.array(CauseJson),
    outcome: z.enum(['ok', 'failed', 'skipped']),
    error: z.string().optional(),
    skipped: z.enum(['leaseHeld', 'outOfTime']).optional(),
    /** A pass that stopped before it finished: why (out of time, the lease lost, Ctrl-C) and in which stage. */
    interrupted: InterruptedJson.optional(),
    /**
     * `reconcile`: the environment's lease: `held` (and how it ended), `none` (`--no-lease`: nothing
     * kept another writer out), or not needed (a simulated account, a dry run).
     */
    lease: LeaseJson.optional(),
    resources: z.array(ResourceJson),
    counts: z.strictObject({
      resources: z.strictObject(Object.fromEntries(RESOURCE_OUTCOMES.map((o) => [o, count()])) as Record<(typeof RESOURCE_OUTCOMES)[number], ReturnType<typeof count>>),
      planned: actionCounts,
      done: actionCounts,
    }),
    apiCalls: count(),
    notifications: NotificationsJson.optional(),
    /** Set when the pass could not be recorded in the state table. */
    recordError: z.string().optional(),
  })
  .meta({ id: 'Pass' });

const envelope = <C extends string>(command: C) => ({
  formatVersion: z.literal(FORMAT_VERSION),
  command: z.literal(command),
  /** The process's exit code. */
  exitCode: z.int(),
  error: ErrorJson.optional(),
});

export const PlanOutput = z.strictObject({ ...envelope('plan'), target: z.string().optional(), environments: z.array(PassJson) });
export const ReconcileOutput = z.strictObject({ ...envelope('reconcile'), target: z.string().optional(), dryRun: z.boolean(), environments: z.array(PassJson) });
export const ReportOutput = z.strictObject({ ...envelope('report'), environments: z.array(PassJson) });

export const ValidateOutput = z.strictObject({
  ...envelope('validate'),
  ok: z.boolean(),
  problems: z.array(Problem),
  environments: z.array(
    z.strictObject({
      name: z.string(),
      services: z.array(z.string()),
      migrations: z.array(z.string()),
      scheduledTasks: z.array(z.string()),
      aliases: z.array(z.string()),
      documents: z.array(z.record(z.string(), z.unknown())).optional(),
    }),
  ),
});

const Evidence = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));
const LinkJson = z
  .strictObject({
    name: z.enum(LINK_NAMES),
    status: z.enum(['ok', 'broken', 'unknown', 'skipped']),
    ok: z.boolean(),
    summary: z.string(),
    evidence: Evidence,
    reason: z.string().optional(),
    message: z.string().optional(),
    healable: z.boolean().optional(),
    cause: AwsCauseJson.optional(),
  })
  .meta({ id: 'WiringLink' });
const WiringJson = z
  .strictObject({
    environment: z.string(),
    service: z.string(),
    serviceName: z.string(),
    names: z.array(z.string()),
    loadBalancer: z.string().optional(),
    targetGroup: z.string().optional(),
    links: z.array(LinkJson),
    firstBroken: z.enum(LINK_NAMES).optional(),
    condition: z.strictObject({ type: z.enum(['Ready', 'Degraded']), reason: z.string(), message: z.string() }),
    probe: z
      .strictObject({ url: z.string(), expectStatus: z.int(), status: z.int().optional(), latencyMs: z.number().min(0), error: z.string().optional(), ok: z.boolean() })
      .optional(),
    checkedAt: iso(),
    /** When the target health it was judged on was read (a reconcile pass reads it in a rotation). */
    healthReadAt: iso().optional(),
    specHash: z.string(),
  })
  .meta({ id: 'Wiring' });

export const VerifyOutput = z.strictObject({
  ...envelope('verify'),
  ok: z.boolean(),
  target: z.string().optional(),
  /** Why AWS could not be read, each cause once. */
  causes: z.array(CauseJson),
  environments: z.array(z.strictObject({ name: z.string(), region: z.string(), cluster: z.string(), services: z.array(WiringJson) })),
});

const StatusRowJson = z.strictObject({
  environment: z.string(),
  resource: z.string(),
  kind: z.enum(RESOURCE_KINDS),
  name: z.string(),
  phase: z.enum(PHASES),
  reason: z.string(),
  message: z.string(),
  /** When the phase last changed. */
  since: iso(),
  specHash: z.string(),
  diff: z.array(FieldDiff),
  notes: z.array(z.string()).optional(),
  lastError: z.strictObject({ message: z.string(), awsName: z.string().optional(), what: z.string(), at: iso() }).optional(),
  /** A Maintenance's state: on (by what, who, why, since, until when) or off. */
  maintenance: z
    .strictObject({
      state: z.enum(['on', 'off']),
      source: z.enum(['spec', 'command', 'automatic']).optional(),
      since: iso().optional(),
      by: z.string().optional(),
      reason: z.string().optional(),
      until: iso().optional(),
    })
    .optional(),
  passId: z.string(),
  updatedAt: iso(),
});
export const StatusOutput = z.strictObject({
  ...envelope('status'),
  resources: z.array(StatusRowJson),
  /** `--html DIR`: the status page written (its resources are in the page, not here). */
  page: z.string().optional(),
  /** `--url`: a short-lived link to the status page the Lambda keeps, and when it stops working. */
  url: z.string().optional(),
  expiresAt: iso().optional(),
});

const PassRowJson = z.strictObject({
  passId: z.string(),
  environment: z.string(),
  startedAt: iso(),
  outcome: z.enum(['ok', 'failed', 'skipped']),
  verdict: z.enum(PASS_VERDICTS).optional(),
  mode: z.enum(['enforce', 'observe']),
  dryRun: z.boolean(),
  durationMs: count(),
  actions: z.strictObject({ planned: count(), done: count(), failed: count(), blocked: count(), held: count(), pending: count() }),
  drift: z.strictObject({ detected: count(), healed: count() }),
  apiCallCount: count(),
  apiCalls: z.record(z.string(), count()),
  specVersion: z.string().optional(),
  error: z.string().optional(),
  interrupted: InterruptedJson.optional(),
  failures: z.array(z.strictObject({ resource: z.string(), summary: z.string(), message: z.string().optional(), awsName: z.string().optional() })),
});
const DriftRowJson = z.strictObject({
  environment: z.string(),
  resource: z.string(),
  key: z.string(),
  summary: z.string(),
  detectedAt: iso(),
  healedAt: iso().optional(),
  resolution: z.enum(['healed', 'gone', 'open']),
  timeToHealMs: count().optional(),
  diff: z.array(FieldDiff),
});
const MaintenanceSwitchJson = z.strictObject({
  environment: z.string(),
  name: z.string(),
  at: iso(),
  switched: z.enum(['on', 'off']),
  source: z.enum(['spec', 'command', 'automatic']).optional(),
  by: z.string().optional(),
  reason: z.string().optional(),
  until: iso().optional(),
  passId: z.string().optional(),
  /** For people: `maintenance shop on by command (alice: DB upgrade) until ...`. */
  summary: z.string(),
});
export const HistoryOutput = z.strictObject({
  ...envelope('history'),
  since: iso().optional(),
  passes: z.array(PassRowJson),
  drift: z.array(DriftRowJson),
  /** Maintenance switches in the period, newest first (absent when there were none). */
  maintenance: z.array(MaintenanceSwitchJson).optional(),
});

const GitJson = z.object({ commit: z.string().optional(), author: z.string().optional(), message: z.string().optional(), dirty: z.boolean().optional() });
/** `apply` (publish or `--rollback`): what was written; nested S3 shapes may gain fields. */
export const ApplyOutput = z.strictObject({
  ...envelope('apply'),
  ok: z.boolean(),
  bucket: z.string().optional(),
  prefix: z.string().optional(),
  status: z.enum(['published', 'republished', 'unchanged', 'rolled-back']).optional(),
  dryRun: z.boolean().optional(),
  commit: z.string().optional(),
  previous: z.string().nullable().optional(),
  objects: z.array(z.looseObject({ sha256: z.string(), state: z.string(), paths: z.array(z.string()) })).optional(),
  manifest: z.looseObject({ key: z.string(), state: z.string() }).optional(),
  pointer: z.looseObject({ key: z.string(), state: z.string() }).optional(),
  warnings: z.array(z.string()).optional(),
  createdAt: iso().optional(),
  git: GitJson.nullable().optional(),
  files: z.array(z.looseObject({ path: z.string(), sha256: z.string(), bytes: count() })).optional(),
  /** Environments and resources the commit before held and this one does not (steady deletes nothing). */
  removed: z.array(z.looseObject({ message: z.string() })).optional(),
  /** Which environments the commit renders differently than the one it replaces (null when there is none, or it could not be read). */
  environments: z.strictObject({ changed: z.array(z.string()), unchanged: z.array(z.string()), added: z.array(z.string()) }).nullable().optional(),
  problems: z.array(Problem),
});

/** `render`: each environment's documents as overlays rendered them, before defaults, and what each overlay wrote. */
export const RenderOutput = z.strictObject({
  ...envelope('render'),
  ok: z.boolean(),
  problems: z.array(Problem),
  environments: z.array(
    z.strictObject({
      name: z.string(),
      documents: z.array(
        z.strictObject({
          kind: z.string(),
          name: z.string(),
          /** Where the document starts (the base's document, for a rendered one). */
          source: SourceLocationJson,
          document: z.record(z.string(), z.unknown()),
          /** Every value an overlay wrote (`set`) or removed, with where it is written. */
          changes: z.array(z.strictObject({ path: z.string(), change: z.enum(['set', 'removed']), at: SourceLocationJson })),
        }),
      ),
    }),
  ),
});

export const CommitsOutput = z.strictObject({
  ...envelope('commits'),
  ok: z.boolean(),
  bucket: z.string(),
  prefix: z.string(),
  head: z.string().nullable(),
  commits: z.array(
    z.looseObject({ commit: z.string(), createdAt: iso(), parent: z.string().nullable(), steadyVersion: z.string(), git: GitJson.optional(), files: count(), bytes: count(), head: z.boolean() }),
  ),
  total: count(),
  unreadable: z.array(z.strictObject({ key: z.string(), why: z.string() })),
});

export const RetryOutput = z.strictObject({
  ...envelope('retry'),
  ok: z.boolean(),
  resource: z.string(),
  environment: z.string().optional(),
  /** What was cleared, for people. */
  message: z.string().optional(),
  /** The environment's lease as retry held it, or why it took none. */
  lease: LeaseJson.optional(),
});

const SPEC_CHANGES = ['added', 'changed', 'removed'] as const;
/** `diff`: the working tree's specs against a git revision or a published commit, as the desired state. */
export const DiffOutput = z.strictObject({
  ...envelope('diff'),
  /** What the working tree was compared with (absent when the command failed before it knew). */
  base: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('git'), revision: z.string(), commit: z.string() }),
      z.strictObject({ kind: z.literal('s3'), url: z.string(), commit: z.string() }),
    ])
    .optional(),
  paths: z.array(z.string()).optional(),
  /** True when the specs differ (exit 2). */
  changed: z.boolean().optional(),
  counts: z.strictObject({ added: count(), changed: count(), removed: count(), unchanged: count() }).optional(),
  environments: z.array(
    z.strictObject({
      environment: z.string(),
      change: z.enum([...SPEC_CHANGES, 'unchanged']),
      resources: z.array(
        z
          .strictObject({
            resource: z.string(),
            kind: z.enum(['Environment', 'Service', 'Migration', 'ScheduledTask', 'AliasRecord']),
            name: z.string(),
            change: z.enum(SPEC_CHANGES),
            diff: z.array(FieldDiff),
            /** What the change makes steady do, for people. */
            effects: z.array(z.string()),
            /** For a removal: no longer managed, and steady deletes nothing. */
            message: z.string().optional(),
          })
          .meta({ id: 'SpecDiffResource' }),
      ),
      unchanged: count(),
    }),
  ),
});

/** Maintenance as one Maintenance stands after `steady maintenance`: on (who, why, since, until when) or off. */
const MaintenanceStateJson = z
  .strictObject({
    name: z.string(),
    phase: z.enum([...PHASES, 'Unknown']),
    message: z.string(),
    state: z.enum(['on', 'off']).optional(),
    source: z.enum(['spec', 'command', 'automatic']).optional(),
    since: iso().optional(),
    by: z.string().optional(),
    reason: z.string().optional(),
    until: iso().optional(),
  })
  .meta({ id: 'MaintenanceState' });

/** `maintenance on|off`: the window written, and the pass that switched at once. */
export const MaintenanceOutput = z.strictObject({
  ...envelope('maintenance'),
  switched: z.enum(['on', 'off']).optional(),
  environment: z.string().optional(),
  maintenances: z.array(MaintenanceStateJson).optional(),
  environments: z.array(PassJson),
});

/** A usage error (unknown command or option) when `--output json` was asked for. */
export const UsageOutput = z.strictObject({ ...envelope('usage'), commandLine: z.array(z.string()) });

/** Every command's document, told apart by `command`. */
export const OutputDocument = z.discriminatedUnion('command', [
  ValidateOutput,
  RenderOutput,
  PlanOutput,
  ReconcileOutput,
  DiffOutput,
  VerifyOutput,
  StatusOutput,
  HistoryOutput,
  ReportOutput,
  ApplyOutput,
  CommitsOutput,
  RetryOutput,
  MaintenanceOutput,
  UsageOutput,
]);

export type PassJsonType = z.infer<typeof PassJson>;
export type NotificationsJsonType = z.infer<typeof NotificationsJson>;
