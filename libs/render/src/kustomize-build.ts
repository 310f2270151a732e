import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RenderError, RenderErrorCode } from './render.error.js';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Builds a kustomization into multi-document YAML. The version is part of every render cache key. */
export interface KustomizeBuilder {
  readonly version: string;
  build(files: ReadonlyMap<string, Uint8Array | string>, bundleLabel: string): Promise<string>;
}

const FILE_LIST_FIELDS = ['resources', 'bases', 'components', 'crds', 'configurations', 'generators', 'transformers', 'validators'];

/**
 * Refuses, before kustomize runs, what would let a bundle reach beyond itself: remote bases
 * (URLs, git repositories), absolute or `..` paths leaving the bundle, and Helm chart inflation
 * (which downloads charts). Kustomize's own root-only load restriction stays on as a second wall.
 */
export function checkKustomizations(files: ReadonlyMap<string, Uint8Array | string>, bundleLabel: string): void {
  for (const [path, content] of files) {
    if (!KUSTOMIZATION_FILES.includes(posix.basename(path))) continue;
    const file = `${bundleLabel}/${path}`;
    let doc: Record<string, unknown>;
    try {
      doc = (parseYaml(text(content), { maxAliasCount: 100 }) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new RenderError(RenderErrorCode.Kustomize, `invalid YAML: ${(error as Error).message.split('\n')[0]}`, { file });
    }
    if (doc.helmCharts !== undefined || doc.helmChartInflationGenerator !== undefined || doc.helmGlobals !== undefined) {
      throw new RenderError(RenderErrorCode.Kustomize, 'Helm chart inflation is not supported: it downloads charts at build time', { file });
    }
    const entries: unknown[] = FILE_LIST_FIELDS.flatMap((field) => (Array.isArray(doc[field]) ? (doc[field] as unknown[]) : []));
    for (const field of ['patches', 'patchesStrategicMerge', 'patchesJson6902', 'configMapGenerator', 'secretGenerator', 'replacements']) {
      if (!Array.isArray(doc[field])) continue;
      for (const item of doc[field] as unknown[]) {
        if (typeof item === 'string') entries.push(item);
        else if (item && typeof item === 'object') {
          const record = item as Record<string, unknown>;
          if (typeof record.path === 'string') entries.push(record.path);
          for (const list of ['files', 'envs']) if (Array.isArray(record[list])) entries.push(...(record[list] as unknown[]));
          if (typeof record.env === 'string') entries.push(record.env);
        }
      }
    }
    for (const entry of entries) {
      if (typeof entry !== 'string') continue;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^git@/.test(entry) || /\?ref=|\.git($|\/\/)/.test(entry) || /^(github|gitlab|bitbucket)\.(com|org)\//.test(entry)) {
        throw new RenderError(RenderErrorCode.Kustomize, `remote base "${entry}" is not allowed: a bundle may only use files inside itself`, { file });
      }
      // Generator file entries may be "key=path".
      const reference = /^[^/=]+=/.test(entry) ? entry.slice(entry.indexOf('=') + 1) : entry;
      const resolved = posix.normalize(posix.join(posix.dirname(path), reference));
      if (reference.startsWith('/') || resolved === '..' || resolved.startsWith('../')) {
        throw new RenderError(RenderErrorCode.Kustomize, `"${entry}" points outside the bundle directory`, { file });
      }
    }
  }
}

/** Runs `kustomize build` or `kubectl kustomize` on a private copy of the bundle's files. */
export class CliKustomizeBuilder implements KustomizeBuilder {
  private constructor(
    private readonly command: string,
    private readonly argsFor: (dir: string) => string[],
    readonly version: string,
    private readonly timeoutMs: number,
  ) {}

  /** The first of `kustomize` and `kubectl` found on the PATH, or undefined. */
  static async detect(timeoutMs = 30_000): Promise<CliKustomizeBuilder | undefined> {
    const kustomize = await run('kustomize', ['version'], 10_000).catch(() => undefined);
    if (kustomize) {
      return new CliKustomizeBuilder('kustomize', (dir) => ['build', '--load-restrictor=LoadRestrictionsRootOnly', dir], `kustomize ${kustomize.trim()}`, timeoutMs);
    }
    const kubectl = await run('kubectl', ['version', '--client', '-o', 'json'], 10_000).catch(() => undefined);
    if (kubectl) {
      const parsed = JSON.parse(kubectl) as { kustomizeVersion?: string };
      return new CliKustomizeBuilder('kubectl', (dir) => ['kustomize', '--load-restrictor=LoadRestrictionsRootOnly', dir], `kustomize ${parsed.kustomizeVersion ?? 'unknown'} (kubectl)`, timeoutMs);
    }
    return undefined;
  }

  async build(files: ReadonlyMap<string, Uint8Array | string>, bundleLabel: string): Promise<string> {
    checkKustomizations(files, bundleLabel);
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-kustomize-'));
    try {
      for (const [path, content] of files) {
        const target = join(dir, ...path.split('/'));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      return await run(this.command, this.argsFor(dir), this.timeoutMs, dir);
    } catch (error) {
      if (error instanceof RenderError) throw error;
      const message = (error as Error).message.replaceAll(dir, bundleLabel);
      throw new RenderError(RenderErrorCode.Kustomize, `kustomize failed: ${message.trim().split('\n').slice(0, 3).join(' ')}`, {
        file: `${bundleLabel}/kustomization.yaml`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function run(command: string, args: string[], timeoutMs: number, home?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        // No credentials, kubeconfig or git configuration of the hub's user reach kustomize.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home ?? tmpdir(), GIT_TERMINAL_PROMPT: '0' },
      },
      (error, stdout, stderr) => {
        if (error) {
          const timedOut = (error as { killed?: boolean }).killed;
          reject(new Error(timedOut ? `timed out after ${timeoutMs} ms` : stderr || error.message));
        } else resolve(stdout);
      },
    );
  });
}

function text(content: Uint8Array | string): string {
  return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
}
