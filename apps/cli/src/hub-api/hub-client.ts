import { CliError } from '../cli.error.js';
import { terminalSafe } from '../output/print-table.util.js';
import type { HubSettings } from './hub-settings.js';

/** One GraphQL error as the hub answers it. */
interface GraphqlError {
  message?: unknown;
  extensions?: { code?: unknown; argument?: unknown };
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Speaks GraphQL over HTTP to one hub. Every failure becomes a CliError with the documented exit code: 3 when the
 * hub cannot be reached, does not answer as a Flotilla hub, or does not accept the token (UNAUTHENTICATED); 1 for
 * any other GraphQL error, with each message and code.
 */
export class HubClient {
  constructor(
    readonly settings: HubSettings,
    private readonly signal?: AbortSignal,
    /** Items per page when a list is fetched (see fetchAllPages). */
    readonly pageSize = 500,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const endpoint = `${this.settings.url}/graphql`;
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(this.settings.token ? { authorization: `Bearer ${this.settings.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: this.signal ? AbortSignal.any([this.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      if (this.signal?.aborted) throw error;
      throw new CliError(`cannot reach the hub at ${this.settings.url} (from ${this.settings.urlFrom}): ${describeFetchError(error)}`, 3, true);
    }
    let body: { data?: T | null; errors?: GraphqlError[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      if (this.signal?.aborted) throw error;
      throw new CliError(`${endpoint} did not answer as a Flotilla hub (HTTP ${response.status}, not GraphQL JSON)`, 3, response.status >= 500);
    }
    // A JSON answer without data or errors (a 404 of another server, a proxy's error page) is not GraphQL.
    if (body === null || typeof body !== 'object' || (!('data' in body) && !('errors' in body))) {
      throw new CliError(`${endpoint} did not answer as a Flotilla hub (HTTP ${response.status}, not a GraphQL answer)`, 3, response.status >= 500);
    }
    const errors = Array.isArray(body.errors) ? body.errors : [];
    if (errors.length > 0) {
      const codes = errors.map((error) => (typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN'));
      const lines = errors.map((error, i) => terminalSafe(`${typeof error.message === 'string' ? error.message : 'error'} (${codes[i]})`));
      if (codes.includes('UNAUTHENTICATED')) {
        const hint = this.settings.token
          ? `the token from ${this.settings.tokenFrom} was refused`
          : 'no token was given: use --token, FLOTILLA_TOKEN or the config file';
        throw new CliError(`not authenticated by the hub at ${this.settings.url}: ${lines.join('; ')}; ${hint}`, 3);
      }
      const transient = codes.every((code) => code === 'SERVICE_UNAVAILABLE');
      throw new CliError(lines.length === 1 ? `the hub refused: ${lines[0]}` : `the hub refused:\n  ${lines.join('\n  ')}`, 1, transient);
    }
    if (!response.ok || body.data === undefined || body.data === null) {
      throw new CliError(`${endpoint} answered HTTP ${response.status} without data`, 1);
    }
    return body.data;
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  // fetch refuses ports of other protocols (SMTP, X11, …) without trying them.
  if (cause?.message === 'bad port') return 'the port is reserved for another protocol (fetch refuses it)';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
