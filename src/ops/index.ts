// The ops side of the connector: the ops server, its metrics, readiness and status report.
export { basicAuth, checkBasic, parseBasic, type BasicCredentials } from './auth';
export { readCollections, type CollectionState } from './collections';
export { createDashboard, redactDeep } from './dashboard';
export { checkReadiness, type CheckResult, type Readiness } from './health';
export { METRIC_PREFIX, PipelineMetrics, QUEUE_STATES } from './metrics';
export { createOpsApp, startOpsServer, type OpsServer, type OpsServerOptions } from './server';
export { buildStatus, type CollectionStatus, type RunView, type SourceStatus, type StatusReport } from './status';
export { escapeHtml, humanDuration, renderStatusPage } from './status-page';
