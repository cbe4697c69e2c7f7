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
  kind: 'drift' | 'failure' | 'blocked';
  /** One line for people, as first announced. */
  summary: string;
  firstSeenAt: number;
  /** When people were last told (undefined: never delivered yet, so try again next pass). */
  lastNotifiedAt?: number;
  /** How many messages mentioned it. */
  notifications: number;
  /** A message still owed (a "healed" message whose delivery failed). */
  pending?: 'healed';
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
