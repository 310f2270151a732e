import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { RequireRole } from '../auth/require-role.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { EventBus } from '../events/event-bus.js';
import {
  BundleDeploymentEventModel,
  ClusterConnectionEventModel,
  DriftEventModel,
  RevisionEventModel,
  RolloutProgressEventModel,
} from './dtos/subscription-events.model.js';
import { subscriptionEvents } from './subscription-events.mapper.js';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function name(argument: string, value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  if (value.length > 63 || !NAME.test(value)) throw new InvalidInputException(argument, `expected a name (DNS-1123 label), got "${value.slice(0, 70)}"`);
  return value;
}

function matches(filter: string | undefined, value: unknown): boolean {
  return filter === undefined || filter === value;
}

// Every payload is already the field's value; Nest would otherwise look for payload[fieldName].
const asIs = <T>(payload: T): T => payload;

/**
 * Live changes over graphql-ws, read from the timeline's NOTIFY feed (so every writer on every hub
 * replica is seen). Viewer role at least; the socket itself was authenticated at connection time.
 */
@Resolver()
export class SubscriptionsResolver {
  constructor(private readonly bus: EventBus) {}

  @Subscription(() => ClusterConnectionEventModel, { description: 'A cluster connected or disconnected; optionally one cluster by name.', resolve: asIs })
  @RequireRole('viewer')
  clusterConnectionChanged(@Args('cluster', { type: () => String, nullable: true, description: 'Only this cluster.' }) cluster?: string | null): AsyncIterableIterator<ClusterConnectionEventModel> {
    const only = name('cluster', cluster);
    return this.bus.subscribe((event) => {
      const model = subscriptionEvents.clusterConnection(event);
      return model && matches(only, model.cluster) ? model : undefined;
    });
  }

  @Subscription(() => BundleDeploymentEventModel, { description: 'A bundle’s reported generation, phase or health moved on a cluster.', resolve: asIs })
  @RequireRole('viewer')
  bundleDeploymentChanged(
    @Args('bundle', { type: () => String, nullable: true, description: 'Only this bundle.' }) bundle?: string | null,
    @Args('cluster', { type: () => String, nullable: true, description: 'Only this cluster.' }) cluster?: string | null,
  ): AsyncIterableIterator<BundleDeploymentEventModel> {
    const onlyBundle = name('bundle', bundle);
    const onlyCluster = name('cluster', cluster);
    return this.bus.subscribe((event) => {
      const model = subscriptionEvents.bundleDeployment(event);
      return model && matches(onlyBundle, model.bundle) && matches(onlyCluster, model.cluster) ? model : undefined;
    });
  }

  @Subscription(() => DriftEventModel, { description: 'Drift detected (or cleared) on a bundle on a cluster.', resolve: asIs })
  @RequireRole('viewer')
  driftDetected(
    @Args('bundle', { type: () => String, nullable: true, description: 'Only this bundle.' }) bundle?: string | null,
    @Args('cluster', { type: () => String, nullable: true, description: 'Only this cluster.' }) cluster?: string | null,
  ): AsyncIterableIterator<DriftEventModel> {
    const onlyBundle = name('bundle', bundle);
    const onlyCluster = name('cluster', cluster);
    return this.bus.subscribe((event) => {
      const model = subscriptionEvents.drift(event);
      return model && matches(onlyBundle, model.bundle) && matches(onlyCluster, model.cluster) ? model : undefined;
    });
  }

  @Subscription(() => RolloutProgressEventModel, { description: 'A rollout started, changed phase or reached a wave.', resolve: asIs })
  @RequireRole('viewer')
  rolloutProgress(
    @Args('bundle', { type: () => String, nullable: true, description: 'Only rollouts of this bundle.' }) bundle?: string | null,
    @Args('rolloutId', { type: () => ID, nullable: true, description: 'Only this rollout.' }) rolloutId?: string | null,
  ): AsyncIterableIterator<RolloutProgressEventModel> {
    const onlyBundle = name('bundle', bundle);
    if (rolloutId != null && !/^\d{1,18}$/.test(rolloutId)) throw new InvalidInputException('rolloutId', `expected a rollout id, got "${rolloutId.slice(0, 40)}"`);
    const onlyRollout = rolloutId ?? undefined;
    return this.bus.subscribe((event) => {
      const model = subscriptionEvents.rolloutProgress(event);
      return model && matches(onlyBundle, model.bundle) && matches(onlyRollout, model.rolloutId) ? model : undefined;
    });
  }

  @Subscription(() => RevisionEventModel, { description: 'A new commit was fetched; optionally of one source.', resolve: asIs })
  @RequireRole('viewer')
  revisionAdded(@Args('sourceId', { type: () => ID, nullable: true, description: 'Only this source.' }) sourceId?: string | null): AsyncIterableIterator<RevisionEventModel> {
    if (sourceId != null && !UUID.test(sourceId)) throw new InvalidInputException('sourceId', `expected a source id (UUID), got "${sourceId.slice(0, 40)}"`);
    const onlySource = sourceId?.toLowerCase();
    return this.bus.subscribe((event) => {
      const model = subscriptionEvents.revision(event);
      return model && matches(onlySource, model.sourceId) ? model : undefined;
    });
  }
}
