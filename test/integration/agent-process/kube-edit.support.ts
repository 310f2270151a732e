import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';

/**
 * Edits an object the way a person would, over the cluster's HTTPS API: a merge patch (an Update
 * operation) under `fieldManager` — `kubectl-edit` is on the default takeover list, so the
 * fields it touches move to it and the agent must take them back.
 */
export async function editAs(kubeconfigPath: string, fieldManager: string, object: KubernetesObject & Record<string, unknown>): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await KubernetesObjectApi.makeApiClient(kc).patch(object, undefined, undefined, fieldManager, undefined, PatchStrategy.MergePatch);
}
