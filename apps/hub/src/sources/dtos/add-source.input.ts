import { Field, InputType, Int } from '@nestjs/graphql';
import { SourceCredentialsInput } from './source-credentials.input.js';

@InputType({ description: 'A Git repository to mirror.' })
export class AddSourceInput {
  @Field({ description: 'A DNS-1123 label (lowercase letters, digits, "-"; at most 63), unique among sources.' })
  name!: string;

  @Field({ description: 'https:// or ssh (ssh://… or user@host:path) URL of the repository, without credentials.' })
  url!: string;

  @Field({ defaultValue: 'main', description: 'The branch or tag to follow.' })
  ref!: string;

  @Field({ defaultValue: '', description: 'The directory of the repository that holds the bundles; the root when empty.' })
  path!: string;

  @Field(() => Int, { nullable: true, description: 'Seconds between polls; 0 turns polling off; the hub default when absent.' })
  pollIntervalSeconds?: number | null;

  @Field(() => SourceCredentialsInput, { nullable: true, description: 'Credentials for a private repository.' })
  credentials?: SourceCredentialsInput | null;
}
