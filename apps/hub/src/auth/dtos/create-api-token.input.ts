import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiRoleModel } from './api-token.model.js';

@InputType({ description: 'A token to create.' })
export class CreateApiTokenInput {
  @Field({ description: '1-100 characters saying who or what will use it.' })
  name!: string;

  @Field(() => ApiRoleModel)
  role!: ApiRoleModel;

  @Field(() => Int, { nullable: true, description: 'Days until it expires (1-3650); never when absent.' })
  expiresInDays?: number | null;
}
