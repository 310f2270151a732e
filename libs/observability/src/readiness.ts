/** A dependency that must answer before the process counts as ready (e.g. the database). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when healthy; rejects with a reason otherwise. Called with a deadline by the caller. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
