import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GEN_INDEX_NAMES, HttpMethod, KubeConfig, PatchStrategy, RequestContext, ServerConfiguration, Watch, createConfiguration } from './client-node.loader.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The module URLs a fresh Node process loads while importing `target` (run from source, as the agent-process tests run the agent). */
async function modulesLoadedBy(target: string): Promise<string[]> {
  const script = [
    "import { registerHooks } from 'node:module';",
    'const loaded = [];',
    'registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });',
    'await import(process.argv[1]);',
    'process.stdout.write(JSON.stringify(loaded));',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), '--input-type=module', '-e', script, target], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`importing ${target} failed (${code}): ${err}`);
  return JSON.parse(out) as string[];
}

const isGeneratedModel = (url: string): boolean => /\/@kubernetes\/client-node\/dist\/gen\/(models|apis|types)\//.test(url);

describe('client-node loader', () => {
  // If a client-node upgrade moves one of these modules or renames an export, this fails before the agent does.
  it('finds every deep-imported module and name of client-node', () => {
    expect(typeof KubeConfig).toBe('function');
    expect(typeof Watch).toBe('function');
    expect(typeof RequestContext).toBe('function');
    expect(typeof ServerConfiguration).toBe('function');
    expect(typeof createConfiguration).toBe('function');
    expect(HttpMethod.PATCH).toBe('PATCH');
    expect(PatchStrategy.ServerSideApply).toBe('application/apply-patch+yaml');
  });

  it('stands in for exactly what dist/config.js imports from ./gen/index.js, with the same bindings', async () => {
    const source = await readFile(fileURLToPath(import.meta.resolve('@kubernetes/client-node/dist/config.js')), 'utf8');
    const imports = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]\.\/gen\/index\.js['"]/g)].flatMap((m) => m[1]!.split(',').map((name) => name.trim()).filter(Boolean));
    expect(/from\s*['"]\.\/gen\/index\.js['"]/.test(source.replace(/import\s*\{[^}]*\}\s*from\s*['"]\.\/gen\/index\.js['"]/g, ''))).toBe(false);
    expect(imports.sort()).toEqual(Object.keys(GEN_INDEX_NAMES).sort());

    const genIndex = (await import('@kubernetes/client-node/dist/gen/index.js')) as Record<string, unknown>;
    for (const [name, module] of Object.entries(GEN_INDEX_NAMES)) {
      const own = (await import(module)) as Record<string, unknown>;
      expect(own[name]).toBeDefined();
      expect(own[name]).toBe(genIndex[name]);
    }
  });

  it('loads KubeConfig, Watch and the HTTP layer without the generated models, which the package index loads', async () => {
    const index = await modulesLoadedBy(join(root, 'libs', 'cluster-client', 'src', 'index.ts'));
    expect(index.some((url) => url.endsWith('/@kubernetes/client-node/dist/config.js'))).toBe(true);
    expect(index.some((url) => url.endsWith('/@kubernetes/client-node/dist/watch.js'))).toBe(true);
    expect(index.filter(isGeneratedModel)).toEqual([]);

    // The control: what the check above would see if the models were loaded.
    const whole = await modulesLoadedBy('@kubernetes/client-node');
    expect(whole.filter(isGeneratedModel).length).toBeGreaterThan(100);
  });
});
