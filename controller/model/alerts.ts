/**
 * What steady remembers about the problems it has told people about, so that a drift is announced
 * once when first seen, reminded at most every N hours, and announced again when healed. Kept by an
 * `AlertStore`: the DynamoDB state table in production, memory in tests and CLI runs.
 */
export interface AlertState {
  /** Stable id of the problem: resource + what is wrong (e.g. `Service/api#TaskDefinitionDiffers#<hash>`). */
  key: string;
  /** `Kind/name` */
  resource: string;
  /** `digest` marks when the environment's daily digest was last sent (one per environment, key `digest`). */
  kind: 'drift' | 'failure' | 'blocked' | 'digest';
  /** One line for people, as first announced. */
  summary: string;
  firstSeenAt: number;
  /** When people were last told (undefined: never delivered yet, so try again next pass). */
  lastNotifiedAt?: number;
  /** How many messages mentioned it. */
  notifications: number;
  /** A message still owed (a "healed" message whose delivery failed). */
  pending?: 'healed';
  /** When the problem went away, for the time-to-heal of an owed "healed" message. */
  healedAt?: number;
  /**
   * The channels (`slack`, `email`) still owed the message this alert is waiting to deliver (the
   * first announcement when `lastNotifiedAt` is unset, or the "healed" message when `pending`),
   * when some channels took it and others did not. Absent: every configured channel.
   */
  owedTo?: string[];
}

export interface AlertStore {
  /** Every alert still open (or owed a message) for an environment. */
  load(environment: string): Promise<AlertState[]>;
  /** Writes `upserts` and deletes the alerts whose keys are in `removed`. */
  save(environment: string, upserts: AlertState[], removed: string[]): Promise<void>;
}

/** An AlertStore in memory: for tests and for CLI runs without a state table. */
export class MemoryAlertStore implements AlertStore {
  readonly #alerts = new Map<string, Map<string, AlertState>>();

  async load(environment: string): Promise<AlertState[]> {
    return [...(this.#alerts.get(environment)?.values() ?? [])].map((a) => ({ ...a }));
  }

  async save(environment: string, upserts: AlertState[], removed: string[]): Promise<void> {
    const env = this.#alerts.get(environment) ?? new Map<string, AlertState>();
    for (const a of upserts) env.set(a.key, { ...a });
    for (const k of removed) env.delete(k);
    this.#alerts.set(environment, env);
  }
}
