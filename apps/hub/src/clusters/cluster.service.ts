import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { labelSelectorSchema, type LabelSelector } from '@flotilla/render';
import { QueryFailedError, type Repository } from 'typeorm';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { pageSize, type Page } from '../graphql/pagination.js';
import { ClusterEvents } from './cluster-events.js';
import { ClusterListRepository, type ListedCluster } from './cluster-list.repository.js';
import { ClusterEntity } from './cluster.entity.js';
import { ClusterException, ClusterExceptionCode } from './cluster.exception.js';
import { validateClusterLabels, validateClusterName, validateClusterVars } from './utils/validate-cluster-input.util.js';

const MAX_SEARCH = 63;

/** Cluster records: the rules for creating, relabelling and deleting them. */
@Injectable()
export class ClusterService {
  constructor(
    @InjectRepository(ClusterEntity) private readonly clusters: Repository<ClusterEntity>,
    private readonly events: ClusterEvents,
    private readonly lists: ClusterListRepository,
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

  /**
   * One page of clusters, by name, with the filters checked first: an invalid selector, connection state or
   * search names the argument at fault; nothing is read for an invalid request.
   */
  async page(filter: { selector?: LabelSelector; connection?: string | null; search?: string | null }, first: number, after?: string | null): Promise<Page<ListedCluster>> {
    const size = pageSize(first);
    if (filter.selector) {
      const checked = labelSelectorSchema.safeParse(filter.selector);
      if (!checked.success) {
        throw new ClusterException(ClusterExceptionCode.Invalid, `selector: ${checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      }
    }
    const connection = filter.connection ?? undefined;
    if (connection !== undefined && connection !== 'Connected' && connection !== 'Disconnected') {
      throw new InvalidInputException('connection', `must be Connected or Disconnected, got "${connection.slice(0, 40)}"`);
    }
    const search = filter.search ?? undefined;
    if (search !== undefined && search.length > MAX_SEARCH) throw new InvalidInputException('search', `must be at most ${MAX_SEARCH} characters`);
    return this.lists.page({ selector: filter.selector, connection, search: search || undefined }, size, after);
  }
}
