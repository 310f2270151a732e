import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { ApiTokenModel } from './api-token.model.js';

@ObjectType('ApiTokenConnection', { description: 'A page of API tokens, oldest first.' })
export class ApiTokenPageModel extends PageType(ApiTokenModel, 'ApiToken') {}
