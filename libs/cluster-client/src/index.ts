export type {
  ApiResourceInfo,
  ClusterApplyOptions,
  ClusterClient,
  ClusterDeleteOptions,
  ClusterListOptions,
  ClusterWatch,
  ClusterWatchEvent,
  ClusterWatchOptions,
  KubeObject,
  KubeObjectList,
  KubeObjectMeta,
  ObjectKey,
} from './cluster-client.js';
export { ClusterApiError, statusCodeOf, type ClusterApiStatus } from './cluster-api.error.js';
export { KeepAliveKubeConfig } from './keep-alive-kube-config.js';
export { KubernetesClusterClient, type KubernetesClusterClientOptions } from './kubernetes-cluster-client.js';
export { ResumingWatch, type ResumingWatchSource } from './resuming-watch.js';
