import type { LoggerService } from '@nestjs/common';
import { queryRows } from '../../support/test-database.js';
import type { TestHub } from '../../support/test-hub.js';

export const SOURCE_FIELDS = `id name url ref path pollIntervalSeconds credentialsKind webhookPath lastFetchedSha lastFetchedAt lastError lastErrorAt createdAt updatedAt`;

export const ADD_SOURCE = `mutation($input: AddSourceInput!) { addSource(input: $input) { webhookSecret source { ${SOURCE_FIELDS} } } }`;

export interface SourceView {
  id: string;
  name: string;
  url: string;
  ref: string;
  path: string;
  pollIntervalSeconds: number;
  credentialsKind: string | null;
  webhookPath: string;
  lastFetchedSha: string | null;
  lastError: string | null;
}

export interface RevisionView {
  sha: string;
  authorName: string;
  authorEmail: string;
  message: string;
  committedAt: string;
  fetchedAt: string;
}

/** A logger that keeps every line, to prove what never reaches the logs. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.keep('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.keep('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.keep('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.keep('fatal', message, rest);
  }

  private keep(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push(`${level} ${typeof message === 'string' ? message : JSON.stringify(message)} ${rest.map((part) => String(part)).join(' ')}`);
  }
}

/** Runs SQL on the hub's own database. */
export const sql = (hub: TestHub, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => queryRows(hub.database, text, params);

/** Polls `probe` until it returns a defined value, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function revisionsOf(hub: TestHub, sourceId: string, token = hub.adminToken): Promise<RevisionView[]> {
  const answer = await hub.graphql<{ revisions: { nodes: RevisionView[] } }>(
    `query($id: ID!) { revisions(sourceId: $id, first: 50) { nodes { sha authorName authorEmail message committedAt fetchedAt } } }`,
    { token, variables: { id: sourceId } },
  );
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data!.revisions.nodes;
}

export async function sourceOf(hub: TestHub, id: string): Promise<SourceView> {
  const answer = await hub.graphql<{ source: SourceView }>(`query($id: ID!) { source(id: $id) { ${SOURCE_FIELDS} } }`, {
    token: hub.adminToken,
    variables: { id },
  });
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data!.source;
}
