import { monitorEventLoopDelay } from 'node:perf_hooks';
import { prepareBundle, type PreparedBundle } from './prepare-bundle.js';
import { renderForCluster } from './render-for-cluster.js';
import { RenderPool } from './render-pool.js';
import { RenderError, RenderErrorCode } from './render.error.js';

const cluster = { name: 'c1', labels: { env: 'prod' }, vars: {} };

async function bundleWith(data: string): Promise<PreparedBundle> {
  return prepareBundle({
    dir: 'b',
    files: new Map([
      ['flotilla.yaml', 'name: b\nvalues: {n: 3}\n'],
      ['cm.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "cm-{{ cluster.name }}"}\ndata: {x: ${JSON.stringify(data)}}\n`],
    ]),
  });
}

describe('RenderPool', () => {
  let pool: RenderPool;
  afterEach(() => pool?.close());

  it('renders in workers exactly what renderForCluster renders in-thread', async () => {
    pool = new RenderPool({ workers: 2 });
    const bundle = await bundleWith('{{ values.n }} replicas');
    const results = await Promise.all([1, 2, 3, 4].map((i) => pool.render(bundle, { ...cluster, name: `c${i}` })));
    results.forEach((result, i) => expect(result).toEqual(renderForCluster(bundle, { ...cluster, name: `c${i + 1}` })));
  });

  it('passes render errors back typed', async () => {
    pool = new RenderPool({ workers: 1 });
    const bundle = await bundleWith('{{ values.missing }}');
    await expect(pool.render(bundle, cluster)).rejects.toMatchObject({ code: RenderErrorCode.Template, message: expect.stringContaining('undefined variable: values.missing') });
  });

  it('stops a render that runs past the hard timeout, keeps the caller responsive, and recovers', async () => {
    // The engine's own cooperative limit is set far above the pool's hard timeout, to prove the hard one.
    pool = new RenderPool({ workers: 1, timeoutMs: 1_000, templateLimits: { parseLimit: 10_000, renderLimitMs: 60_000, memoryLimit: 1e9 } });
    const hostile = await bundleWith('{% for i in (1..1000000000) %}{% endfor %}');
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const started = Date.now();
    const error = await pool.render(hostile, cluster).catch((e: unknown) => e);
    lag.disable();
    expect(error).toBeInstanceOf(RenderError);
    expect((error as RenderError).code).toBe(RenderErrorCode.Timeout);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(lag.max / 1e6).toBeLessThan(250);
    const fine = await bundleWith('ok');
    expect((await pool.render(fine, cluster)).manifests[0]!.data).toEqual({ x: 'ok' });
  });
});
