/** Injection token for the validated HubConfig. */
export const HUB_CONFIG = Symbol('HUB_CONFIG');
