import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('FieldDrift', { description: 'One declared field whose live value differs from what the bundle declares, as the agent reported it.' })
export class FieldDriftModel {
  @Field({ description: 'Group/version, kind, namespace and name of the object, e.g. apps/v1 Deployment web/web.' })
  resource!: string;

  @Field({ description: 'JSON pointer of the field, e.g. /spec/replicas.' })
  path!: string;

  @Field({ description: 'The live value as JSON; a Secret value is never shown, only "(changed)" or a hash.' })
  live!: string;

  @Field({ description: 'The declared value as JSON, redacted the same way.' })
  desired!: string;

  @Field({ description: 'Field manager that made the live value, when the agent could tell; empty otherwise.' })
  manager!: string;
}

@ObjectType('ResourceStatus', { description: 'One object of a bundle on a cluster, as its agent last reported it.' })
export class ResourceStatusModel {
  @Field({ description: 'API group; empty for the core group.' })
  group!: string;

  @Field({ description: 'API version.' })
  version!: string;

  @Field({ description: 'Kind.' })
  kind!: string;

  @Field({ description: 'Namespace; empty for cluster-scoped objects.' })
  namespace!: string;

  @Field({ description: 'Name.' })
  name!: string;

  @Field({ description: 'What the last apply did: CREATED, CONFIGURED, UNCHANGED, DELETED, SKIPPED or UNSPECIFIED.' })
  change!: string;

  @Field({ description: 'HEALTHY, PROGRESSING, DEGRADED or UNKNOWN.' })
  health!: string;

  @Field({ description: "The agent's message about this object; empty when it had none." })
  message!: string;

  @Field(() => [FieldDriftModel], { description: 'Declared fields of this object that differ from the live object.' })
  drift!: FieldDriftModel[];
}
