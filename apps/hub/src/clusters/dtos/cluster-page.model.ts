import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { ClusterModel } from './cluster.model.js';

@ObjectType('ClusterConnection', { description: 'A page of clusters, by name.' })
export class ClusterPageModel extends PageType(ClusterModel, 'Cluster') {}
