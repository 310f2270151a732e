import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { RolloutModel } from './rollout.model.js';

@ObjectType('RolloutConnection', { description: 'A page of rollouts, newest first.' })
export class RolloutPageModel extends PageType(RolloutModel, 'Rollout') {}
