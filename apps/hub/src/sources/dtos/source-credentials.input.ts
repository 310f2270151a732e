import { Field, InputType } from '@nestjs/graphql';

@InputType({
  description:
    'How the hub authenticates to the repository: an HTTPS token, or an SSH key with known_hosts. Stored encrypted; never returned, logged or audited.',
})
export class SourceCredentialsInput {
  @Field(() => String, { nullable: true, description: 'An HTTPS access token (sent as the basic-auth password).' })
  httpsToken?: string | null;

  @Field(() => String, { nullable: true, description: 'The basic-auth user sent with the token; "git" when absent.' })
  httpsUsername?: string | null;

  @Field(() => String, { nullable: true, description: 'An OpenSSH private key without a passphrase.' })
  sshPrivateKey?: string | null;

  @Field(() => String, { nullable: true, description: 'known_hosts lines for the repository host; host keys are checked strictly.' })
  sshKnownHosts?: string | null;
}
