import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { SourceCredentialsInput } from './source-credentials.input.js';

@InputType({ description: 'Changes to a source; absent fields keep their value.' })
export class UpdateSourceInput {
  @Field(() => ID, { description: 'The source to change.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'A new unique DNS-1123 label.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'A new repository URL.' })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'A new branch or tag.' })
  ref?: string | null;

  @Field(() => String, { nullable: true, description: 'A new sub-path; "" for the repository root.' })
  path?: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds between polls; 0 turns polling off.' })
  pollIntervalSeconds?: number | null;

  @Field(() => SourceCredentialsInput, { nullable: true, description: 'New credentials; explicitly null removes them.' })
  credentials?: SourceCredentialsInput | null;
}
