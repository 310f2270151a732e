/** The hub could not start for a reason outside its configuration (a port in use, an unreachable database). */
export class HubStartError extends Error {
  override readonly name = 'HubStartError';
}
