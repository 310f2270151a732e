import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { BundleModel } from './bundle.model.js';

@ObjectType('BundleConnection', { description: 'A page of bundles, by name.' })
export class BundlePageModel extends PageType(BundleModel, 'Bundle') {}
