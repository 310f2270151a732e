import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { openApiV2Bytes } from '../schema/openapi-document.loader.js';
import { notAcceptable, pathNotFound, unauthorized } from '../store/api-status.error.js';
import { SimulatedCluster, type SimulatedClusterOptions } from '../store/simulated-cluster.js';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  aggregatedDiscoveryVersion,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
} from './discovery.handler.js';
import { sendBytes, sendError, sendJson } from './http-io.util.js';
import { kubeconfigDocument, writeKubeconfig } from './kubeconfig.writer.js';
import { openApiV3Document, openApiV3Index } from './openapi.handler.js';
import { FaultInjector, verbOf } from './fault-injector.js';
import { handleResource } from './resource.handler.js';
import { parseResourceRoute } from './resource-route.js';
import { tlsMaterial, type TlsMaterial } from './tls-authority.js';
import type { WatchStream } from './watch-stream.js';

/** Options of one kube-sim API server instance. */
export interface KubeSimServerOptions extends SimulatedClusterOptions {
  /** HTTPS with the process CA (default) or plain HTTP. */
  readonly tls?: boolean;
  /** Bearer token clients must send; random when omitted. */
  readonly token?: string;
  readonly host?: string;
  readonly port?: number;
  /** Directory for the kubeconfig file; a fresh temporary directory (removed on close) when omitted. */
  readonly kubeconfigDir?: string;
  /** Cluster/context name in the kubeconfig. */
  readonly name?: string;
  /** Random source for fault injection rates (deterministic tests). */
  readonly random?: () => number;
}

const PUBLIC_PATHS = new Set(['/version', '/version/', '/healthz', '/livez', '/readyz']);

/**
 * An in-process Kubernetes API server over HTTP(S): discovery, OpenAPI, and the REST verbs of
 * every built-in and CRD-defined resource, backed by a SimulatedCluster. Authenticates bearer
 * tokens and (over HTTPS) client certificates issued by the process CA; writes a kubeconfig.
 */
export class KubeSimServer {
  private readonly watches = new Set<WatchStream>();
  private readonly sockets = new Set<Socket>();
  /** Latency, error rates and outages for tests; requests pass untouched until configured. */
  readonly faults: FaultInjector;

  private constructor(
    readonly cluster: SimulatedCluster,
    private readonly server: Server,
    readonly url: string,
    readonly token: string,
    readonly kubeconfigPath: string,
    private readonly ownedDir: string | undefined,
    private readonly tls: TlsMaterial | undefined,
    private readonly name: string,
    random: (() => number) | undefined,
  ) {
    this.faults = new FaultInjector(() => this.dropWatches(), random);
  }

  static async start(options: KubeSimServerOptions = {}): Promise<KubeSimServer> {
    const useTls = options.tls ?? true;
    const tls = useTls ? await tlsMaterial() : undefined;
    const token = options.token ?? randomBytes(24).toString('base64url');
    const cluster = new SimulatedCluster({ ...options, rootCA: options.rootCA ?? tls?.caCert });
    // Client certificates are requested but optional: requests without one fall back to bearer tokens.
    const server = tls
      ? createHttpsServer({ key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, requestCert: true, rejectUnauthorized: false })
      : createHttpServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
    const ownedDir = options.kubeconfigDir ? undefined : await mkdtemp(join(tmpdir(), 'kube-sim-'));
    const kubeconfigPath = join(options.kubeconfigDir ?? ownedDir!, 'kubeconfig');
    const name = options.name ?? 'kube-sim';
    const instance = new KubeSimServer(cluster, server, url, token, kubeconfigPath, ownedDir, tls, name, options.random);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void instance.handle(req, res));
    server.on('connection', (socket: Socket) => instance.track(socket));
    server.on('secureConnection', (socket: Socket) => instance.track(socket));
    await writeKubeconfig(kubeconfigPath, instance.kubeconfigSpec());
    return instance;
  }

  /** PEM of the CA that signed the server certificate (undefined over plain HTTP). */
  get caCert(): string | undefined {
    return this.tls?.caCert;
  }

  /** The kubeconfig as an object (e.g. for `KubeConfig.loadFromOptions`); bearer-token user. */
  kubeconfig(): Record<string, unknown> {
    return kubeconfigDocument(this.kubeconfigSpec());
  }

  /** A kubeconfig that authenticates with the process client certificate instead of the token. */
  clientCertificateKubeconfig(): Record<string, unknown> {
    if (!this.tls) throw new Error('client certificates need an HTTPS kube-sim');
    return kubeconfigDocument({ name: this.name, server: this.url, caCert: this.tls.caCert, clientCert: this.tls.clientCert, clientKey: this.tls.clientKey });
  }

  /** Ends every open watch stream, as when an API server restarts or a load balancer drops connections. */
  dropWatches(): number {
    const streams = [...this.watches];
    for (const s of streams) s.stop();
    return streams.length;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.cluster.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    if (this.ownedDir) await rm(this.ownedDir, { recursive: true, force: true });
  }

  private kubeconfigSpec() {
    return { name: this.name, server: this.url, caCert: this.tls?.caCert, token: this.token };
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private authenticated(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (header === `Bearer ${this.token}`) return true;
    return this.tls !== undefined && (req.socket as TLSSocket).authorized === true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const path = url.pathname;
      if (this.faults.isDown) await this.faults.before(undefined, undefined);
      if (!PUBLIC_PATHS.has(path) && !this.authenticated(req)) throw unauthorized();
      await this.route(req, res, path, url.searchParams);
    } catch (err) {
      sendError(res, err);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const catalog = this.cluster.state.catalog;
    const accept = req.headers.accept;
    const segments = path.split('/').filter((s) => s !== '');
    const trimmed = path.replace(/\/+$/, '') || '/';
    if (trimmed === '/healthz' || trimmed === '/livez' || trimmed === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (trimmed === '/version') return sendJson(res, 200, versionInfo());
    if (trimmed === '/api' || trimmed === '/apis') {
      const aggregated = aggregatedDiscoveryVersion(accept);
      if (aggregated) return sendJson(res, 200, aggregatedDiscovery(catalog, trimmed === '/api', aggregated), aggregatedContentType(aggregated));
      return sendJson(res, 200, trimmed === '/api' ? apiVersions(this.url.replace(/^https?:\/\//, '')) : apiGroupList(catalog));
    }
    if (trimmed === '/openapi/v2') {
      if (accept && !/json|\*\/\*/.test(accept)) throw notAcceptable('only application/json is served for /openapi/v2');
      return sendBytes(res, openApiV2Bytes(), 'application/json');
    }
    if (trimmed === '/openapi/v3') return sendJson(res, 200, openApiV3Index(catalog));
    const v3 = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(trimmed);
    if (v3) {
      const doc = openApiV3Document(catalog, v3[2] ?? '', v3[1] ?? v3[3]!);
      if (!doc) throw pathNotFound();
      return sendBytes(res, doc, 'application/json', { ETag: `"${query.get('hash') ?? ''}"`, 'Cache-Control': 'public, immutable' });
    }
    const parts = segments;
    let group: string | undefined;
    let version: string | undefined;
    let rest: string[] = [];
    if (parts[0] === 'api' && parts[1] === 'v1') [group, version, rest] = ['', 'v1', parts.slice(2)];
    else if (parts[0] === 'apis' && parts.length >= 2) {
      if (parts.length === 2) {
        const g = apiGroup(catalog, parts[1]!);
        if (g) return sendJson(res, 200, g);
      } else [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
    }
    if (group !== undefined && version !== undefined) {
      if (rest.length === 0) {
        const list = apiResourceList(catalog, group, version);
        if (list) return sendJson(res, 200, list);
      } else {
        const route = parseResourceRoute(group, version, rest);
        if (route) await this.faults.before(verbOf(req.method, route.name !== undefined, query.get('watch') === 'true' || query.get('watch') === '1'), route.plural);
        if (route) return handleResource({ cluster: this.cluster, watches: this.watches }, req, res, route, query);
      }
    }
    throw pathNotFound();
  }
}
