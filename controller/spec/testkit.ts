/** What the spec tests share: a one-service environment to load kinds beside, and its loader. */
import { formatProblem, parseSpecFiles, type LoadResult } from './load.js';

/** shop-prod with one service, `api` (container `app`), in specs/shop.yaml. */
export const SHOP_ENV = `apiVersion: steady.dev/v1alpha1
kind: Environment
metadata: { name: shop-prod }
spec: { region: ap-northeast-1, cluster: shop-prod }
---
apiVersion: steady.dev/v1alpha1
kind: Service
metadata: { name: api, environment: shop-prod }
spec:
  network: { subnets: [subnet-0a1b2c3d4e5f60718] }
  taskDefinition:
    family: shop-api
    cpu: 256
    memory: 512
    containers:
      - name: app
        image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest
`;

/** `text` with each `[from, to]` applied once, in order. */
export function edited(text: string, replace: [string, string][]): string {
  for (const [from, to] of replace) text = text.replace(from, to);
  return text;
}

/** Loads SHOP_ENV followed by `docs` as one file, specs/shop.yaml. */
export function loadShop(...docs: string[]): LoadResult {
  return parseSpecFiles([{ path: 'specs/shop.yaml', content: [SHOP_ENV, ...docs].join('---\n') }]);
}

/** The load's problems as the CLI prints them; [] when it loaded. */
export const problems = (r: LoadResult): string[] => (r.ok ? [] : r.problems.map(formatProblem));
