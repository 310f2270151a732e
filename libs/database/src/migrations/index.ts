import { Foundation1763790000000 } from './1763790000000-foundation.migration.js';
import { Sources1763812800000 } from './1763812800000-sources.migration.js';
import { FleetState1763820000000 } from './1763820000000-fleet-state.migration.js';
import { AgentIdentity1763830000000 } from './1763830000000-agent-identity.migration.js';
import { AgentConnections1763840000000 } from './1763840000000-agent-connections.migration.js';
import { AuditChain1763850000000 } from './1763850000000-audit-chain.migration.js';
import { Rollouts1763860000000 } from './1763860000000-rollouts.migration.js';
import { Events1763870000000 } from './1763870000000-events.migration.js';
import { BundleSuspensions1763880000000 } from './1763880000000-bundle-suspensions.migration.js';
import { ListIndexes1763890000000 } from './1763890000000-list-indexes.migration.js';
import { BundleTargetsDigest1763895000000 } from './1763895000000-bundle-targets-digest.migration.js';
import { StatusResourcesDigest1763900000000 } from './1763900000000-status-resources-digest.migration.js';
import { StatusHistoryCascade1763905000000 } from './1763905000000-status-history-cascade.migration.js';
import { StatusFillfactor1763910000000 } from './1763910000000-status-fillfactor.migration.js';
import { EventsNotifyBatches1763915000000 } from './1763915000000-events-notify-batches.migration.js';

/** Every migration, oldest first. Landed migrations are never edited; add a new one instead. */
export const migrations = [Foundation1763790000000, Sources1763812800000, FleetState1763820000000, AgentIdentity1763830000000, AgentConnections1763840000000, AuditChain1763850000000, Rollouts1763860000000, Events1763870000000, BundleSuspensions1763880000000, ListIndexes1763890000000, BundleTargetsDigest1763895000000, StatusResourcesDigest1763900000000, StatusHistoryCascade1763905000000, StatusFillfactor1763910000000, EventsNotifyBatches1763915000000];
