import { Foundation1763790000000 } from './1763790000000-foundation.migration.js';

/** Every migration, oldest first. Landed migrations are never edited; add a new one instead. */
export const migrations = [Foundation1763790000000];
