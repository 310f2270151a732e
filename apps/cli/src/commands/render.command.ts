import { basename, resolve } from 'node:path';
import {
  CliKustomizeBuilder,
  discoverBundleDirs,
  filesOfBundle,
  isTargeted,
  labelKeyProblem,
  labelValueProblem,
  prepareBundle,
  RenderError,
  renderForCluster,
} from '@flotilla/render';
import type { Command } from 'commander';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { CliError } from '../cli.error.js';
import { readBundleDirectory } from '../read-bundle-dir.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function keyValue(option: string, raw: string): [string, string] {
  const equals = raw.indexOf('=');
  if (equals <= 0) throw new CliError(`${option} ${raw}: expected key=value`, 2);
  return [raw.slice(0, equals), raw.slice(equals + 1)];
}

/** `flotilla render DIR`: renders a bundle directory offline, with the library the hub uses. */
export function registerRenderCommand(program: Command): void {
  program
    .command('render <dir>')
    .description('render a bundle directory for one cluster, offline, exactly as the hub would')
    .option('--cluster <name>', 'the cluster name templates see', 'local')
    .option('--label <key=value>', 'a cluster label (repeatable)', collect, [])
    .option('--var <key=value>', 'a cluster variable (repeatable; the value is read as a YAML scalar)', collect, [])
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .action(async (dir: string, options: { cluster: string; label: string[]; var: string[]; output: string }) => {
      if (options.output !== 'yaml' && options.output !== 'json') throw new CliError(`--output: expected yaml or json, got "${options.output}"`, 2);
      const labels: Record<string, string> = {};
      for (const raw of options.label) {
        const [key, value] = keyValue('--label', raw);
        const problem = labelKeyProblem(key) ?? labelValueProblem(value);
        if (problem) throw new CliError(`--label ${raw}: ${problem}`, 2);
        labels[key] = value;
      }
      const vars: Record<string, unknown> = {};
      for (const raw of options.var) {
        const [key, value] = keyValue('--var', raw);
        vars[key] = scalar(value);
      }

      const files = await readBundleDirectory(dir);
      const bundleDirs = discoverBundleDirs(files.keys());
      if (!bundleDirs.includes('')) throw new CliError(`${dir}: no flotilla.yaml in this directory`);
      const own = filesOfBundle('', files, bundleDirs);
      try {
        const kustomize = [...own.keys()].some((path) => /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(path)) ? await CliKustomizeBuilder.detect() : undefined;
        const prepared = await prepareBundle({ dir: basename(resolve(dir)), files: own }, { kustomize });
        const rendered = renderForCluster(prepared, { name: options.cluster, labels, vars });
        if (!isTargeted(prepared.spec, labels)) process.stderr.write(`note: the targets of bundle "${prepared.name}" do not select a cluster with these labels\n`);
        process.stderr.write(`bundle ${rendered.bundle}: ${rendered.manifests.length} objects, ${rendered.hash}\n`);
        if (options.output === 'json') {
          process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rendered.manifests }, null, 2)}\n`);
        } else {
          process.stdout.write(rendered.manifests.map((manifest) => toYaml(manifest, { lineWidth: 0 })).join('---\n'));
        }
      } catch (error) {
        if (error instanceof RenderError) throw new CliError(error.message.split('\n').join('; '));
        throw error;
      }
    });
}

function scalar(text: string): unknown {
  try {
    const value: unknown = parseYaml(text);
    return value !== null && typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}
