import { Field, InputType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@InputType('LabelInput', { description: 'A label: Kubernetes rules apply to key and value.' })
export class LabelInput {
  @Field()
  key!: string;

  @Field({ description: 'May be empty.' })
  value!: string;
}

@InputType({ description: 'A cluster to record.' })
export class CreateClusterInput {
  @Field({ description: 'A DNS-1123 label, unique among clusters.' })
  name!: string;

  @Field(() => [LabelInput], { defaultValue: [] })
  labels!: LabelInput[];

  @Field(() => GraphQLJSON, { nullable: true, description: 'A JSON object of at most 64 KiB.' })
  vars?: Record<string, unknown> | null;
}

@InputType('LabelSelectorRequirementInput', { description: 'One expression of a label selector.' })
export class LabelSelectorRequirementInput {
  @Field()
  key!: string;

  @Field({ description: 'In, NotIn, Exists or DoesNotExist.' })
  operator!: string;

  @Field(() => [String], { nullable: true })
  values?: string[] | null;
}

@InputType('LabelSelectorInput', { description: 'A Kubernetes label selector; empty selects every cluster.' })
export class LabelSelectorInput {
  @Field(() => [LabelInput], { nullable: true })
  matchLabels?: LabelInput[] | null;

  @Field(() => [LabelSelectorRequirementInput], { nullable: true })
  matchExpressions?: LabelSelectorRequirementInput[] | null;
}
