import { CodedFlotillaException } from '../common/flotilla.exception.js';

export enum RolloutExceptionCode {
  NotFound = 'ROLLOUT_NOT_FOUND',
  BundleNotFound = 'ROLLOUT_BUNDLE_NOT_FOUND',
  ClusterNotFound = 'ROLLOUT_CLUSTER_NOT_FOUND',
  WrongPhase = 'ROLLOUT_WRONG_PHASE',
}

const GRAPHQL_CODES = {
  [RolloutExceptionCode.NotFound]: 'NOT_FOUND',
  [RolloutExceptionCode.BundleNotFound]: 'NOT_FOUND',
  [RolloutExceptionCode.ClusterNotFound]: 'NOT_FOUND',
  [RolloutExceptionCode.WrongPhase]: 'FAILED_PRECONDITION',
} as const;

/** A rollout or suspension request that cannot be carried out; the message names the rollout, bundle or cluster. */
export class RolloutException extends CodedFlotillaException<RolloutExceptionCode> {
  constructor(code: RolloutExceptionCode, message: string) {
    super(code, message, GRAPHQL_CODES);
  }
}
