/**
 * The discovery client SDK (the `edge-discovery-client` package): register (kept alive by a
 * session or by renews), fetch, watch, pick. No runtime dependencies; Node ≥ 20, browsers,
 * Workers. The gRPC resolver is a separate entry (`edge-discovery-client/grpc`) so that this one
 * never loads @grpc/grpc-js.
 */
export type { Instance, InstanceStatus, Metadata } from '../registry/model.ts'
export { STATUS_UP, STATUS_WAITING } from '../registry/model.ts'
export { type HostPort, instanceAddress } from './addrs.ts'
export { type AppSnapshot, allInstances, instanceCount } from './app-snapshot.ts'
export { type BackoffOptions, backoffDelay } from './backoff.ts'
export {
  createDiscoveryClient,
  type DiscoveryClient,
  type FetchOptions,
  type StatusFilter,
  type WatchOptions,
} from './client.ts'
export {
  DiscoveryApiError,
  DiscoveryConfigError,
  DiscoveryError,
  DiscoveryHttpError,
  DiscoveryNetworkError,
  DiscoveryNotFoundError,
  DiscoveryRequestError,
  type DiscoveryRequestInfo,
  DiscoveryResponseError,
  DiscoverySessionError,
  DiscoveryTimeoutError,
  isNodeFailure,
} from './errors.ts'
export { type GrpcTarget, grpcAuthority, grpcEndpoints, parseGrpcTarget } from './grpc-target.ts'
export { parseNode, type RegistryNode } from './nodes.ts'
export type { HistoryOptions, InstanceTarget, SetOptions } from './operator-calls.ts'
export type { DiscoveryClientOptions } from './options.ts'
export {
  createPicker,
  DEFAULT_WEIGHT,
  type InstanceSource,
  instanceWeight,
  isUp,
  type Picked,
  type Picker,
  type PickerOptions,
  pickOfTwo,
  pickWeighted,
  type Random,
  zoneCandidates,
} from './picker.ts'
export type { InstanceInput, RegisterOptions, Registration } from './registration.ts'
export type { WebSocketConstructor, WebSocketLike } from './session-socket.ts'
export type { Timers } from './timers.ts'
export type { FetchInit, FetchLike, FetchResponse } from './transport.ts'
export type { TransportMode } from './transport-choice.ts'
export type { HistoryEntry, NodeStatus } from './wire.ts'
