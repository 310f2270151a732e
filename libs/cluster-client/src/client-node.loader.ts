import { registerHooks } from 'node:module';

/*
 * The parts of @kubernetes/client-node this library uses — KubeConfig (in-cluster config, kubeconfig
 * files, auth, TLS, exec plugins), Watch and the HTTP request plumbing — loaded without its
 * generated API models. Its package index, and its `dist/config.js` through `./gen/index.js`, load
 * every generated model and API class (~60 MB of modules, ~40 MiB of resident memory in a process),
 * while we send and receive plain JSON and use none of them.
 *
 * Deep imports: client-node 2.0.1 has no `exports` map, so `dist/*.js` are importable; they are not
 * a published API and may move in a later version. `client-node.loader.spec.ts` fails if a module
 * or a name used here moves, and if `config.js` starts importing more than GEN_INDEX_NAMES.
 *
 * `config.js` imports only GEN_INDEX_NAMES from `./gen/index.js`. A resolve hook hands exactly that
 * import (that specifier, from that file, nothing else) a module re-exporting those names from the
 * very modules `gen/index.js` re-exports them from, so KubeConfig runs the same code either way.
 * Under a loader that refuses Node's hooks (jest's), the full index loads: more memory, same behaviour.
 * If client-node was already loaded in full by the process, this changes nothing.
 */

/** What client-node's `dist/config.js` imports from `./gen/index.js`, and where each name lives. */
export const GEN_INDEX_NAMES = {
  createConfiguration: '@kubernetes/client-node/dist/gen/configuration.js',
  ServerConfiguration: '@kubernetes/client-node/dist/gen/servers.js',
} as const;

const configUrl = import.meta.resolve('@kubernetes/client-node/dist/config.js');
const genIndexUrl = new URL('./gen/index.js', configUrl).href;
const slimGenIndexUrl = `data:text/javascript,${encodeURIComponent(
  Object.entries(GEN_INDEX_NAMES)
    .map(([name, module]) => `export { ${name} } from ${JSON.stringify(import.meta.resolve(module))};`)
    .join('\n'),
)}`;

try {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (context.parentURL === configUrl && resolved.url === genIndexUrl) return { url: slimGenIndexUrl, format: 'module', shortCircuit: true };
      return resolved;
    },
  });
} catch {
  // A module loader of its own that refuses Node's hooks (jest's): the full index loads, same behaviour.
}

// Dynamic imports, so that they resolve after the hook above is registered (static ones resolve first).
export const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
export const { Watch } = await import('@kubernetes/client-node/dist/watch.js');
export const { PatchStrategy } = await import('@kubernetes/client-node/dist/patch.js');
export const { HttpMethod, RequestContext } = await import('@kubernetes/client-node/dist/gen/http/http.js');
export const { createConfiguration } = await import('@kubernetes/client-node/dist/gen/configuration.js');
export const { ServerConfiguration } = await import('@kubernetes/client-node/dist/gen/servers.js');
