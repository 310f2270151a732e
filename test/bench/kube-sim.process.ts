// One simulated Kubernetes API server (kube-sim over HTTPS) in a process of its own, so that a
// benchmark's memory and CPU figures are its own. It prints one JSON line when it listens —
// {"kubeconfig":"…","url":"…"} — and stops on SIGTERM, SIGINT or the end of stdin.
// Run: node --import ./scripts/register-ts.mjs test/bench/kube-sim.process.ts [--controller-delay-ms 5] [--pods]
import { KubeSimServer } from '@flotilla/kube-sim';

const at = process.argv.indexOf('--controller-delay-ms');
const controllerDelayMs = at > 0 ? Number(process.argv[at + 1]) : 5;
if (!Number.isFinite(controllerDelayMs) || controllerDelayMs < 0) {
  process.stderr.write(`--controller-delay-ms: expected a number of milliseconds ≥ 0, got "${process.argv[at + 1]}"\n`);
  process.exit(2);
}
const server = await KubeSimServer.start({ tls: true, controllerDelayMs, simulatePods: process.argv.includes('--pods') });
process.stdout.write(`${JSON.stringify({ kubeconfig: server.kubeconfigPath, url: server.url })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.resume();
process.stdin.once('end', stop);
