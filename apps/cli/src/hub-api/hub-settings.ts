import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CliError } from '../cli.error.js';

/** Where the hub is when nothing says otherwise: the port `flotilla demo` serves on. */
export const DEFAULT_HUB_URL = 'http://127.0.0.1:8080';

/** The admin token `flotilla demo` writes (its --data-dir default), read only when the hub address is the default. */
export const DEMO_TOKEN_FILE = join('.flotilla', 'demo', 'admin-token');

/** A hub address and token, each with where it came from (for messages). Guarantees an http(s) URL without credentials. */
export interface HubSettings {
  readonly url: string;
  readonly token: string | undefined;
  readonly urlFrom: string;
  readonly tokenFrom: string | undefined;
  /** Things the user should fix but that do not stop the command (e.g. a token file others can read). */
  readonly warnings: readonly string[];
}

/** The global flags that choose a hub. */
export interface HubFlags {
  readonly hub?: string;
  readonly token?: string;
  readonly context?: string;
}

const contextSchema = z
  .object({
    hub: z.string().optional(),
    token: z.string().optional(),
    tokenFile: z.string().optional(),
  })
  .strict();

const configSchema = z
  .object({
    currentContext: z.string().optional(),
    contexts: z.record(z.string(), contextSchema).optional(),
    hub: z.string().optional(),
    token: z.string().optional(),
    tokenFile: z.string().optional(),
  })
  .strict();

type ConfigContext = z.infer<typeof contextSchema>;

/** The config file's path: FLOTILLA_CONFIG, else $XDG_CONFIG_HOME/flotilla/config.yaml, else ~/.config/flotilla/config.yaml. */
export function configFilePath(env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  const explicit = env.FLOTILLA_CONFIG?.trim();
  if (explicit) return { path: resolve(explicit), explicit: true };
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || '/', '.config');
  return { path: join(base, 'flotilla', 'config.yaml'), explicit: false };
}

/** A warning when a file holding a token can be read by users other than its owner. */
function exposedTokenWarning(path: string): string | undefined {
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) return `${path} holds an API token and is readable by others (mode ${mode.toString(8)}): chmod 600 ${path}`;
  } catch {
    // Unreadable files were reported when read.
  }
  return undefined;
}

function readConfigContext(env: NodeJS.ProcessEnv, contextName: string | undefined, contextFrom: string): { context: ConfigContext; from: string; path: string } | undefined {
  const { path, explicit } = configFilePath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) {
      if (contextName) throw new CliError(`${contextFrom}: no config file at ${path} to take context "${contextName}" from`, 2);
      return undefined;
    }
    throw new CliError(`${explicit ? 'FLOTILLA_CONFIG: ' : ''}cannot read ${path}: ${(error as Error).message}`, 2);
  }
  let parsed: z.infer<typeof configSchema>;
  try {
    parsed = configSchema.parse(parseYaml(text, { maxAliasCount: 0 }) ?? {});
  } catch (error) {
    const detail = error instanceof z.ZodError ? error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`).join('; ') : (error as Error).message;
    throw new CliError(`${path}: ${detail}`, 2);
  }
  const name = contextName ?? parsed.currentContext;
  if (name === undefined) return { context: { hub: parsed.hub, token: parsed.token, tokenFile: parsed.tokenFile }, from: path, path };
  const context = parsed.contexts?.[name];
  if (!context) {
    const known = Object.keys(parsed.contexts ?? {});
    throw new CliError(`${contextName ? contextFrom : `${path}: currentContext`}: no context "${name}" in ${path} (it has: ${known.join(', ') || 'none'})`, 2);
  }
  return { context, from: `${path} (context ${name})`, path };
}

function readTokenFile(file: string, from: string): string {
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  } catch (error) {
    throw new CliError(`${from}: cannot read the token file ${file}: ${(error as Error).message}`, 2);
  }
  throw new CliError(`${from}: the token file ${file} is empty`, 2);
}

/**
 * Finds the hub and token, each by the first of: the flags (--hub, --token), the environment (FLOTILLA_HUB_URL,
 * FLOTILLA_TOKEN), the config file (its context from --context, FLOTILLA_CONTEXT or currentContext), then defaults:
 * http://127.0.0.1:8080 and, only with that default address, the demo's admin token in ./.flotilla/demo/admin-token.
 */
export function resolveHubSettings(flags: HubFlags, env: NodeJS.ProcessEnv, cwd = process.cwd()): HubSettings {
  const contextName = flags.context ?? (env.FLOTILLA_CONTEXT?.trim() || undefined);
  const contextFrom = flags.context ? '--context' : 'FLOTILLA_CONTEXT';
  const config = readConfigContext(env, contextName, contextFrom);

  let url: string;
  let urlFrom: string;
  if (flags.hub !== undefined) [url, urlFrom] = [flags.hub, '--hub'];
  else if (env.FLOTILLA_HUB_URL?.trim()) [url, urlFrom] = [env.FLOTILLA_HUB_URL.trim(), 'FLOTILLA_HUB_URL'];
  else if (config?.context.hub) [url, urlFrom] = [config.context.hub, config.from];
  else [url, urlFrom] = [DEFAULT_HUB_URL, 'the default'];

  let token: string | undefined;
  let tokenFrom: string | undefined;
  if (flags.token !== undefined) [token, tokenFrom] = [flags.token, '--token'];
  else if (env.FLOTILLA_TOKEN?.trim()) [token, tokenFrom] = [env.FLOTILLA_TOKEN.trim(), 'FLOTILLA_TOKEN'];
  else if (config?.context.token) [token, tokenFrom] = [config.context.token, config.from];
  else if (config?.context.tokenFile) [token, tokenFrom] = [readTokenFile(resolve(config.context.tokenFile), config.from), config.from];
  const warnings: string[] = [];
  if (config && tokenFrom === config.from) {
    const warning = exposedTokenWarning(config.context.token ? config.path : resolve(config.context.tokenFile!));
    if (warning) warnings.push(warning);
  }
  else if (urlFrom === 'the default') {
    const demo = resolve(cwd, DEMO_TOKEN_FILE);
    try {
      token = readFileSync(demo, 'utf8').trim() || undefined;
      tokenFrom = token ? demo : undefined;
    } catch {
      // No demo here: go on without a token, and let the hub say that one is needed.
    }
  }

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`${urlFrom}: expected the hub's http:// or https:// URL, got "${url}"`, 2);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`${urlFrom}: expected the hub's http:// or https:// URL, got "${url}"`, 2);
  if (parsed.username || parsed.password) throw new CliError(`${urlFrom}: the hub URL must not hold credentials; give the token with --token or FLOTILLA_TOKEN`, 2);
  if (token !== undefined && !/^\S+$/.test(token)) throw new CliError(`${tokenFrom}: the token must be one word without spaces`, 2);
  // The GraphQL endpoint itself is a common thing to paste: the hub is the URL without it.
  parsed.pathname = parsed.pathname.replace(/\/graphql\/?$/, '');
  parsed.search = '';
  parsed.hash = '';
  return { url: parsed.href.replace(/\/+$/, ''), token, urlFrom, tokenFrom, warnings };
}
