import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KubeSimServer } from '@flotilla/kube-sim';
import type { Command } from 'commander';
import { CliError } from '../cli.error.js';

/** `flotilla kube-sim --clusters N`: simulated Kubernetes API servers that kubectl and client-node can use, until Ctrl-C. */
export function registerKubeSimCommand(program: Command): void {
  program
    .command('kube-sim')
    .description('run simulated Kubernetes clusters (HTTPS) until Ctrl-C, printing each one\'s kubeconfig path')
    .option('--clusters <n>', 'how many clusters', '1')
    .option('--dir <dir>', 'where to write the kubeconfig files', '.flotilla/kube-sim')
    .option('--http', 'plain HTTP instead of HTTPS', false)
    .action(async (options: { clusters: string; dir: string; http: boolean }) => {
      const count = Number(options.clusters);
      if (!Number.isInteger(count) || count < 1 || count > 500) throw new CliError(`--clusters: expected 1-500, got "${options.clusters}"`, 2);
      const base = resolve(options.dir);
      const servers: KubeSimServer[] = [];
      try {
        for (let i = 1; i <= count; i += 1) {
          const dir = resolve(base, `cluster-${i}`);
          await mkdir(dir, { recursive: true });
          servers.push(await KubeSimServer.start({ tls: !options.http, kubeconfigDir: dir, name: `kube-sim-${i}` }));
        }
      } catch (error) {
        await Promise.all(servers.map((server) => server.close()));
        throw new CliError(`cannot start kube-sim: ${(error as Error).message}`);
      }
      for (const [index, server] of servers.entries()) process.stdout.write(`kube-sim-${index + 1}\t${server.url}\tKUBECONFIG=${server.kubeconfigPath}\n`);
      process.stderr.write(`${count} simulated cluster${count > 1 ? 's' : ''} running; try: KUBECONFIG=${servers[0]!.kubeconfigPath} kubectl get ns. Ctrl-C stops them.\n`);
      await new Promise<void>((done) => {
        const stop = (): void => {
          void Promise.all(servers.map((server) => server.close())).then(() => done());
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
