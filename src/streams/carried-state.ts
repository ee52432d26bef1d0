import type { Network } from '../model/network.js';
import { createWorkspace, forward, zeroState, type LstmpState, type Workspace } from '../ops/lstmp.js';
import type { Chunk } from './chunk.js';

/**
 * Runs the forward pass chunk after chunk, keeping each stream's LSTM state
 * across chunks (a stream whose reset flag is set starts from zero). One per
 * subscription: the state belongs to that stream of chunks.
 */
export function carriedForward(network: Network): (chunk: Chunk) => Workspace {
  let state: LstmpState | null = null;
  let workspace: Workspace | null = null;
  return (chunk) => {
    if (!workspace || workspace.steps !== chunk.steps || workspace.streams !== chunk.streams) {
      workspace = createWorkspace(network.spec, chunk.steps, chunk.streams, network.kernels.alloc);
      state = zeroState(network.spec, chunk.streams);
    }
    forward(network.kernels, network.spec, network.weights, chunk.features, state!, chunk.reset, workspace);
    return workspace;
  };
}
