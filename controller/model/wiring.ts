/**
 * A wiring chain as a `Wiring` status carries it into the state table and the status page: the
 * links from a service's public name to its containers, each with its evidence. The wiring checks
 * (`controller/wiring/`) produce it; their `WiringLink` is this link with its names narrowed.
 */

/** One link as recorded: `name` is a `LinkName`, `status` a `LinkStatus` of the wiring checks. */
export interface WiringChainLink {
  name: string;
  status: string;
  ok: boolean;
  summary: string;
  evidence: Record<string, string | number | boolean | string[]>;
  reason?: string;
  message?: string;
  healable?: boolean;
}

export interface WiringChain {
  /** Record names the service is reachable from. */
  names: string[];
  loadBalancer?: string;
  targetGroup?: string;
  /** In chain order. */
  links: WiringChainLink[];
  /** The first link that is broken or could not be read. */
  firstBroken?: string;
  /** Epoch ms. */
  checkedAt: number;
  /** When the target health of the `targets` link was read (epoch ms); absent: not read yet, judged from ECS's view of the service. */
  healthReadAt?: number;
}
