/**
 * Distributed ASGD: the parameter-server shard (gRPC service), its client, the shared secret, a local cluster of processes and how they notice it gone.
 *
 * @module
 */
export * from './delta-pushes.js';
export * from './local-cluster.js';
export * from './parameter-client.js';
export * from './parent.js';
export * from './parameter-server.js';
export * from './parameter-service.js';
export * from './secret.js';
