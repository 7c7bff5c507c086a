// The process's page bodies (readShared): shared memory, so that a normalizer thread reads a page
// where it was received. The fetch worker gives a body back only when Redis has the page and the
// normalizer has finished with it.
import { MemoryPool } from '../memory-pool';

/**
 * Up to four bodies kept (the pages a collection has between received and normalized with the
 * default `max_pages_in_flight`), 64 MiB at most.
 */
export const pageBodies = new MemoryPool<SharedArrayBuffer>({ maxBuffers: 4, maxBytes: 64 * 1024 * 1024 }, (bytes) => new SharedArrayBuffer(bytes));
