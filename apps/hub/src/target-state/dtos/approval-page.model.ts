import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { ApprovalModel } from './approval.model.js';

@ObjectType('ApprovalConnection', { description: 'A page of held changes, newest first.' })
export class ApprovalPageModel extends PageType(ApprovalModel, 'Approval') {}
