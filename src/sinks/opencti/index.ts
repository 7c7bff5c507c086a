// OpenCTI sink: pushes bundles over GraphQL (stixBundlePush) as a registered external-import connector.
export { OpenCtiSink } from './sink';
export type { OpenCtiSinkOptions } from './options';
export { isAboveThreshold, sameState } from './connector';
export type { ConnectorInfo, PingResult, Pinger, QueueDetails } from './connector';
export { OPENCTI_AUTH, OPENCTI_GRAPHQL_ERROR, OPENCTI_INVALID_BUNDLE, OPENCTI_VERSION_UNSUPPORTED } from './errors';
export { PUSH_MIN_VERSION, WORK_ID_MIN_VERSION, atLeast, compareVersions, parseVersion } from './version';
