import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { BundleDeploymentModel } from './bundle-deployment.model.js';

@ObjectType('BundleDeploymentConnection', { description: 'A page of bundle deployments, by bundle then cluster.' })
export class BundleDeploymentPageModel extends PageType(BundleDeploymentModel, 'BundleDeployment') {}
