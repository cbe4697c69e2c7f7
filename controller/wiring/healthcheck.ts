/**
 * Does the target group check what the container checks? A heuristic, because a container health
 * check is a command, not a URL: steady looks in the command for requests to the container itself
 * (`http://localhost:8000/healthz`, `127.0.0.1:8000/healthz`, `http://0.0.0.0/health`) and
 * compares their paths with the target group's health-check path. Pure.
 *
 * - A URL counts when it names a local host (`localhost`, `127.0.0.1`, `0.0.0.0`, `[::1]`) and has
 *   a scheme, a port or a path; `pg_isready -h localhost` is not a URL.
 * - Paths are compared without query string or fragment and without a trailing slash
 *   (`/healthz/?full=1` is `/healthz`).
 * - The link agrees when any URL's path is the target group's path; it disagrees when the command
 *   has URLs and none has that path; it cannot tell when the command has no such URL (`agent
 *   health`, a binary's own `healthcheck` subcommand without a URL) or there is no health check.
 */

/** A request to the container itself found in a health-check command. */
export interface LocalUrl {
  /** As written, e.g. `http://localhost:8000/healthz`. */
  text: string;
  port?: number;
  /** Normalised: no query, no fragment, no trailing slash; `/` when the URL has no path. */
  path: string;
}

export type HealthCheckAgreement =
  | { kind: 'agrees'; url: LocalUrl }
  | { kind: 'differs'; urls: LocalUrl[] }
  | { kind: 'noUrl' }
  | { kind: 'noHealthCheck' };

const LOCAL_URL = /(https?:\/\/)?(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d{1,5}))?(\/[^\s"'|;&<>()`]*)?/gi;

/** `/healthz/?a=1#x` -> `/healthz`; `` -> `/`. */
export function normalisePath(path: string | undefined): string {
  const bare = (path ?? '').replace(/[?#].*$/, '');
  const trimmed = bare.length > 1 ? bare.replace(/\/+$/, '') : bare;
  return trimmed === '' ? '/' : trimmed;
}

/**
 * The requests to the container itself in a health-check command (`CMD`/`CMD-SHELL` dropped).
 *
 * @example
 * localUrls(['CMD-SHELL', 'curl -fsS http://localhost:8000/healthz || exit 1'])
 * // [{ text: 'http://localhost:8000/healthz', port: 8000, path: '/healthz' }]
 */
export function localUrls(command: readonly string[]): LocalUrl[] {
  const words = command[0] === 'CMD' || command[0] === 'CMD-SHELL' ? command.slice(1) : command;
  const urls: LocalUrl[] = [];
  for (const match of words.join(' ').matchAll(LOCAL_URL)) {
    const [text, scheme, port, path] = match;
    if (!scheme && !port && !path) continue;
    urls.push({ text, ...(port ? { port: Number(port) } : {}), path: normalisePath(path) });
  }
  return urls;
}

/**
 * Compares a container's health-check command with a target group's health-check path.
 *
 * @example
 * healthCheckAgreement(['CMD-SHELL', 'curl -f http://localhost:8000/healthz'], '/health')
 * // { kind: 'differs', urls: [{ text: 'http://localhost:8000/healthz', port: 8000, path: '/healthz' }] }
 */
export function healthCheckAgreement(command: readonly string[] | undefined, targetGroupPath: string | undefined): HealthCheckAgreement {
  if (!command || command.length === 0) return { kind: 'noHealthCheck' };
  const urls = localUrls(command);
  if (urls.length === 0) return { kind: 'noUrl' };
  const want = normalisePath(targetGroupPath);
  const url = urls.find((u) => u.path === want);
  return url ? { kind: 'agrees', url } : { kind: 'differs', urls };
}

/** A health-check command as people read it: the shell string, or the words joined. */
export function commandText(command: readonly string[]): string {
  return (command[0] === 'CMD' || command[0] === 'CMD-SHELL' ? command.slice(1) : command).join(' ');
}
