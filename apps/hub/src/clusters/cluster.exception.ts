import { CodedFlotillaException } from '../common/flotilla.exception.js';

export enum ClusterExceptionCode {
  NotFound = 'CLUSTER_NOT_FOUND',
  NameTaken = 'CLUSTER_NAME_TAKEN',
  Invalid = 'CLUSTER_INVALID',
}

const GRAPHQL_CODES = {
  [ClusterExceptionCode.NotFound]: 'NOT_FOUND',
  [ClusterExceptionCode.NameTaken]: 'CONFLICT',
  [ClusterExceptionCode.Invalid]: 'BAD_USER_INPUT',
} as const;

/** A cluster request that cannot be carried out; the message names the cluster and the problem. */
export class ClusterException extends CodedFlotillaException<ClusterExceptionCode> {
  constructor(code: ClusterExceptionCode, message: string) {
    super(code, message, GRAPHQL_CODES);
  }
}
