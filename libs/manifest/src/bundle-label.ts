/** The label every rendered object carries, naming its bundle: what the agent inventories and prunes by. */
export const BUNDLE_LABEL = 'flotilla.dev/bundle';
