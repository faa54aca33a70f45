import type { ResourceLimits } from 'node:worker_threads';

/**
 * Heap limits of the node's worker threads (Merkle batches, audit journal). Their work is short
 * bursts of small objects, so a small young generation costs little time, while V8's default
 * (16 MiB semi-spaces, committed once grown and kept) would add tens of MB to the node's resident
 * memory per thread.
 */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 6 };
