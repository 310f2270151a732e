import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { labelSelectorSchema, matchesLabelSelector, type LabelSelector } from '@flotilla/render';
import { QueryFailedError, type Repository } from 'typeorm';
import { ClusterEvents } from './cluster-events.js';
import { ClusterEntity } from './cluster.entity.js';
import { ClusterException, ClusterExceptionCode } from './cluster.exception.js';
import { validateClusterLabels, validateClusterName, validateClusterVars } from './utils/validate-cluster-input.util.js';

/** Cluster records: the rules for creating, relabelling and deleting them. */
@Injectable()
export class ClusterService {
  constructor(
    @InjectRepository(ClusterEntity) private readonly clusters: Repository<ClusterEntity>,
    private readonly events: ClusterEvents,
  ) {}

  async create(name: string, labels: readonly { key: string; value: string }[], vars: unknown): Promise<ClusterEntity> {
    const entity = this.clusters.create({
      name: validateClusterName(name),
      labels: validateClusterLabels(labels),
      vars: validateClusterVars(vars ?? {}),
      updatedAt: new Date(),
    });
    try {
      // jsonb columns: TypeORM's deep-partial typing cannot express an open record.
      await this.clusters.insert(entity as never);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new ClusterException(ClusterExceptionCode.NameTaken, `a cluster named "${name}" already exists`);
      }
      throw error;
    }
    const created = await this.getByName(name);
    await this.events.emit({ kind: 'created', clusterId: created.id });
    return created;
  }

  async setLabels(name: string, labels: readonly { key: string; value: string }[]): Promise<ClusterEntity> {
    const cluster = await this.getByName(name);
    await this.clusters.update({ id: cluster.id }, { labels: validateClusterLabels(labels), updatedAt: new Date() });
    await this.events.emit({ kind: 'updated', clusterId: cluster.id });
    return this.getByName(name);
  }

  async setVars(name: string, vars: unknown): Promise<ClusterEntity> {
    const cluster = await this.getByName(name);
    // jsonb column: TypeORM's deep-partial typing cannot express an open record.
    await this.clusters.update({ id: cluster.id }, { vars: validateClusterVars(vars) as never, updatedAt: new Date() });
    await this.events.emit({ kind: 'updated', clusterId: cluster.id });
    return this.getByName(name);
  }

  async delete(name: string): Promise<ClusterEntity> {
    const cluster = await this.getByName(name);
    await this.clusters.delete({ id: cluster.id });
    await this.events.emit({ kind: 'deleted', clusterId: cluster.id });
    return cluster;
  }

  async getByName(name: string): Promise<ClusterEntity> {
    const cluster = await this.clusters.findOneBy({ name });
    if (!cluster) throw new ClusterException(ClusterExceptionCode.NotFound, `no cluster is named "${name.slice(0, 80)}"`);
    return cluster;
  }

  /** Every cluster the selector matches (Kubernetes semantics), ordered by name. */
  async list(selector?: LabelSelector): Promise<ClusterEntity[]> {
    if (selector) {
      const checked = labelSelectorSchema.safeParse(selector);
      if (!checked.success) {
        throw new ClusterException(ClusterExceptionCode.Invalid, `selector: ${checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      }
    }
    const all = await this.clusters.find({ order: { name: 'ASC' } });
    return selector ? all.filter((cluster) => matchesLabelSelector(selector, cluster.labels)) : all;
  }
}
