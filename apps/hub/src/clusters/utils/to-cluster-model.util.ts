import type { ClusterEntity } from '../cluster.entity.js';
import type { ClusterModel } from '../dtos/cluster.model.js';

/** The API model of a cluster: labels as a list sorted by key. */
export function toClusterModel(cluster: ClusterEntity): ClusterModel {
  return {
    ...cluster,
    labels: Object.entries(cluster.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ key, value })),
  };
}
