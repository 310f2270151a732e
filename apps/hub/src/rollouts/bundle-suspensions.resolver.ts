import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { BundleSuspensionsService } from './bundle-suspensions.service.js';

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function validated(bundle: string, cluster: string | null | undefined): string | null {
  if (!NAME.test(bundle)) throw new InvalidInputException('bundle', `must be a bundle name (a DNS-1123 label), got "${bundle.slice(0, 70)}"`);
  if (cluster === null || cluster === undefined) return null;
  if (!NAME.test(cluster)) throw new InvalidInputException('cluster', `must be a cluster name (a DNS-1123 label), got "${cluster.slice(0, 70)}"`);
  return cluster;
}

/** Suspending a bundle — everywhere, or on one cluster — through the API. */
@Resolver()
export class BundleSuspensionsResolver {
  constructor(private readonly suspensions: BundleSuspensionsService) {}

  @Mutation(() => Boolean, {
    description:
      "Suspends a bundle on every cluster, or on one: its agents stop applying and correcting it (status still flows) and rollouts leave it out. Survives new commits until resumeBundle. True when this call suspended it; false when it already was.",
  })
  async suspendBundle(
    @Args('bundle', { description: 'Name of the bundle.' }) bundle: string,
    @Args('cluster', { type: () => String, nullable: true, description: 'Name of one cluster; omit for every cluster.' }) cluster: string | null | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<boolean> {
    return this.suspensions.suspend(bundle, validated(bundle, cluster), principal.name);
  }

  @Mutation(() => Boolean, {
    description:
      'Lifts a suspension set with suspendBundle (the same bundle and cluster, or the fleet-wide one); a suspend: true in Git stays. True when there was one to lift.',
  })
  async resumeBundle(
    @Args('bundle', { description: 'Name of the bundle.' }) bundle: string,
    @Args('cluster', { type: () => String, nullable: true, description: 'Name of one cluster; omit for the fleet-wide suspension.' }) cluster: string | null | undefined,
  ): Promise<boolean> {
    return this.suspensions.resume(bundle, validated(bundle, cluster));
  }
}
