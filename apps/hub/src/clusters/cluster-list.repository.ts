import { Injectable } from '@nestjs/common';
import type { LabelSelector } from '@flotilla/render';
import { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../graphql/pagination.js';
import type { ConnectionRow } from '../graphql/request-loaders.js';
import type { ClusterEntity } from './cluster.entity.js';
import { clusterFromRow, type ClusterTableRow } from './utils/cluster-from-row.util.js';
import { labelSelectorSql } from './utils/label-selector-sql.util.js';

/** The filters of the clusters list, already validated. */
export interface ClusterListFilter {
  readonly selector?: LabelSelector;
  readonly connection?: 'Connected' | 'Disconnected';
  readonly search?: string;
}

/** A listed cluster with its connection row (absent when the agent never connected), read in the same statement. */
export interface ListedCluster {
  readonly cluster: ClusterEntity;
  readonly connection: ConnectionRow | undefined;
}

interface ClusterRow extends Omit<ConnectionRow, 'cluster_id' | 'state'>, ClusterTableRow {
  readonly state: string | null;
}

function toListed(row: ClusterRow): ListedCluster {
  return {
    cluster: clusterFromRow(row),
    connection:
      row.state === null
        ? undefined
        : {
            cluster_id: row.id,
            state: row.state,
            connected_at: row.connected_at,
            last_seen_at: row.last_seen_at,
            agent_version: row.agent_version,
            protocol_version: row.protocol_version,
            kubernetes_version: row.kubernetes_version,
          },
  };
}

/**
 * The clusters list in SQL: every filter is a WHERE condition (label selectors over the labels jsonb, served
 * by its GIN indexes), pages are keyset positions on the unique name (never OFFSET), and the total is one count
 * over the same conditions. Each page row comes with its connection (one join on the key), which the resolver hands
 * to the request's connection loader: a page of clusters with their connections costs no extra round trip.
 */
@Injectable()
export class ClusterListRepository {
  constructor(private readonly dataSource: DataSource) {}

  async page(filter: ClusterListFilter, first: number, after: string | null | undefined): Promise<Page<ListedCluster>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.selector) {
      const condition = labelSelectorSql(filter.selector, 'c.labels', params.length + 1);
      params.push(...condition.params);
      where.push(condition.sql);
    }
    if (filter.connection) {
      // A semi-join probing the connections' primary key per candidate: the planner can walk clusters by name
      // and stop at the page's end, where a join would read every connection row first.
      const connected = `EXISTS (SELECT 1 FROM cluster_connections k WHERE k.cluster_id = c.id AND k.state = 'Connected')`;
      where.push(filter.connection === 'Connected' ? connected : `NOT ${connected}`);
    }
    if (filter.search) {
      params.push(filter.search.toLowerCase());
      where.push(`strpos(lower(c.name), $${params.length}) > 0`);
    }
    const conditions = where.length > 0 ? where.join(' AND ') : 'true';
    const pageParams = [...params];
    let keyset = '';
    if (after) {
      const [name] = decodeCursor(after, ['string']);
      pageParams.push(name);
      keyset = ` AND c.name > $${pageParams.length}`;
    }
    pageParams.push(first + 1);
    const [rows, total] = await Promise.all([
      this.dataSource.query(
        `SELECT c.id, c.name, c.labels, c.vars, c.created_at, c.updated_at,
                k.state, k.connected_at, k.last_seen_at, k.agent_version, k.protocol_version, k.kubernetes_version
           FROM clusters c LEFT JOIN cluster_connections k ON k.cluster_id = c.id
          WHERE ${conditions}${keyset} ORDER BY c.name LIMIT $${pageParams.length}`,
        pageParams,
      ) as Promise<ClusterRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM clusters c WHERE ${conditions}`, params) as Promise<{ n: number }[]>,
    ]);
    return toPage(rows, first, after, total[0]!.n, (row) => [row.name], toListed);
  }
}
