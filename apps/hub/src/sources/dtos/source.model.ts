import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum SourceCredentialsKindModel {
  httpsToken = 'https-token',
  sshKey = 'ssh-key',
}

registerEnumType(SourceCredentialsKindModel, {
  name: 'SourceCredentialsKind',
  description: 'What kind of credentials a source has; the credentials themselves are never shown.',
  valuesMap: { httpsToken: { description: 'An HTTPS token.' }, sshKey: { description: 'An SSH private key with known_hosts.' } },
});

@ObjectType('Source', { description: 'A Git repository, ref and sub-path that the hub mirrors and watches.' })
export class SourceModel {
  @Field(() => ID, { description: 'The source id; also in the webhook path.' })
  id!: string;

  @Field({ description: 'Unique DNS-1123 label.' })
  name!: string;

  @Field({ description: 'The repository URL.' })
  url!: string;

  @Field({ description: 'The branch or tag followed.' })
  ref!: string;

  @Field({ description: 'The sub-path holding the bundles; "" for the root.' })
  path!: string;

  @Field(() => Int, { description: 'Seconds between polls in effect (the hub default unless set); 0: not polled.' })
  pollIntervalSeconds!: number;

  @Field(() => SourceCredentialsKindModel, { nullable: true, description: 'The kind of credentials set, if any.' })
  credentialsKind!: SourceCredentialsKindModel | null;

  @Field({ description: 'Where the forge posts push webhooks (relative to the hub URL).' })
  webhookPath!: string;

  @Field(() => String, { nullable: true, description: 'The commit the ref pointed at when last fetched successfully.' })
  lastFetchedSha!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the last successful fetch finished.' })
  lastFetchedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last sync failed; null after a successful one.' })
  lastError!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When lastError was recorded.' })
  lastErrorAt!: Date | null;

  @Field(() => GraphQLISODateTime, { description: 'When the source was added.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When the source was last changed.' })
  updatedAt!: Date;
}

@ObjectType('AddedSource', { description: 'A new source and its webhook secret. Store the secret now: it cannot be shown again.' })
export class AddedSourceModel {
  @Field(() => SourceModel, { description: 'The source, after its first sync.' })
  source!: SourceModel;

  @Field({ description: 'The secret for the forge webhook (GitHub/Gitea signing secret, or GitLab token).' })
  webhookSecret!: string;
}
