// Builds the configured sinks. The only place (with the CLI) that knows the concrete sink classes.
import type { Config } from '../config/resolve';
import { readCaFile } from '../http/request';
import type { Logger } from '../log';
import { FileSink } from './file/sink';
import { HttpSink } from './http';
import { OpenCtiSink } from './opencti';
import type { Sink } from './types';

/** The STIX types an OpenCTI connector registers as its scope: what the sources ask for, or the common ones. */
export function importScope(config: Config): string[] {
  const types = new Set<string>();
  for (const s of config.sources) for (const t of [...(s.match.type ?? []), ...s.filter.include_types]) types.add(t);
  return types.size > 0
    ? [...types].sort()
    : ['attack-pattern', 'campaign', 'identity', 'indicator', 'infrastructure', 'intrusion-set', 'malware', 'relationship', 'report', 'sighting', 'threat-actor', 'tool', 'vulnerability'];
}

export function createSinks(config: Config, logger: Logger): Sink[] {
  return config.sinks.map((s): Sink => {
    const log = logger.child({ sink: s.name });
    switch (s.type) {
      case 'file':
        return new FileSink({ name: s.name, path: s.path });
      case 'http':
        return new HttpSink({
          name: s.name,
          mode: s.mode,
          url: s.url,
          contentType: s.content_type,
          credentials: s.credentials,
          headers: s.headers,
          tlsVerify: s.tls.verify,
          ca: readCaFile(s.tls.ca_file),
          timeoutMs: Math.round(s.timeout_secs * 1000),
          statusTimeoutMs: Math.round(s.status_timeout_secs * 1000),
          logger: log,
        });
      case 'opencti': {
        const o = config.opencti;
        if (!o || !config.connector.id) throw new Error('the opencti sink needs opencti.url, opencti.token and connector.id');
        return new OpenCtiSink({
          name: s.name,
          url: o.url,
          token: o.token,
          connectorId: config.connector.id,
          connectorName: config.connector.name,
          scope: importScope(config),
          timeoutMs: Math.round(o.timeout_secs * 1000),
          tlsVerify: o.tls.verify,
          ca: readCaFile(o.tls.ca_file),
          pingIntervalMs: Math.round(o.ping_interval_secs * 1000),
          queueThresholdMb: o.queue_threshold_mb,
          logger: log,
        });
      }
    }
  });
}
