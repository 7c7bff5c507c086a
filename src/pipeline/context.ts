// What the pipeline's processors depend on, as ports: pages come from a PageSource (a TAXII
// client), bundles go to Sinks, state lives in the RunStore, and an observer hears every event.
import type { Redis } from 'ioredis';
import type { Config, ResolvedSource } from '../config/resolve';
import type { Logger } from '../log';
import type { Sink } from '../sinks/types';
import type { ObjectsPageBody, TaxiiReader } from '../taxii';
import type { DeadLetters } from './dead-letter';
import type { BundleHandoff } from './handoff';
import type { Normalizer } from './normalizer';
import type { Queues } from './queues';
import type { RunStore } from './run-state';

export interface PageRequest {
  apiRoot: string;
  collection: string;
  addedAfter?: string;
  next?: string;
}

/** One page of a collection per call (TAXII 2.1 §5.4), its envelope unparsed (the normalizer reads it); the source's filters and limit are its own. */
export interface PageSource {
  fetchPage(request: PageRequest): Promise<ObjectsPageBody>;
}

export interface CollectionTarget {
  source: string;
  collection: string;
  apiRoot: string;
  title: string;
}

/** Hooks for metrics and status; every method optional. */
export interface PipelineObserver {
  pageFetched?(e: { source: string; collection: string; objects: number; bytes: number; ms: number }): void;
  /** Every TAXII request, answered (status) or failed (error code). */
  taxiiRequest?(e: { source: string; method: string; endpoint: string; status: string; ms: number }): void;
  pageNormalized?(e: { source: string; collection: string; accepted: number; rejectedByReason: Record<string, number>; filtered: number; upgraded: number }): void;
  delivered?(e: { sink: string; source: string; collection: string; objects: number; ms: number }): void;
  deliveryFailed?(e: { sink: string; code: string; final: boolean }): void;
  deadLettered?(e: { kind: string; source: string; collection: string; objects: number }): void;
  runEnded?(e: { source: string; collection: string; runId: string; status: 'done' | 'failed' }): void;
  tickSkipped?(e: { source: string; collection: string }): void;
}

export interface PipelineContext {
  config: Config;
  redis: Redis;
  queues: Queues;
  store: RunStore;
  deadLetters: DeadLetters;
  /** Turns received pages into bundles (in worker threads). */
  normalizer: Normalizer;
  /** Bundles this process normalized, for its own deliveries (Redis holds the copy that counts). */
  handoff: BundleHandoff;
  sinks: ReadonlyMap<string, Sink>;
  sources: ReadonlyMap<string, ResolvedSource>;
  pageSource(source: string): PageSource;
  /** The TAXII reader of a source (collection listing). */
  reader(source: string): TaxiiReader;
  logger: Logger;
  observer: PipelineObserver;
  /** The clock used for initial history and bookkeeping (never for cursors). */
  now(): number;
}
