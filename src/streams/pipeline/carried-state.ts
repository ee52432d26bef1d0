import type { Network } from '../../model/network/network.js';
import { createWorkspace, forward, releaseWorkspace, zeroState, type LstmpState, type Workspace } from '../../ops/nn/lstmp.js';
import type { Chunk } from './chunk.js';

/** The forward pass chunk after chunk, and the workspace it runs in. */
export interface CarriedForward {
  /** The forward pass over `chunk`, from the state the previous chunk left; the workspace holds its activations. */
  run(chunk: Chunk): Workspace;
  /** Gives the workspace back to the network's kernels: call when no chunk follows. */
  release(): void;
}

/**
 * Runs the forward pass chunk after chunk, keeping each stream's LSTM state
 * across chunks (a stream whose reset flag is set starts from zero). One per
 * subscription: the state belongs to that stream of chunks.
 */
export function carriedForward(network: Network): CarriedForward {
  let state: LstmpState | null = null;
  let workspace: Workspace | null = null;
  const release = () => {
    if (workspace) releaseWorkspace(workspace, network.kernels.release);
    workspace = null;
  };
  return {
    run(chunk) {
      if (chunk.dim !== network.spec.inputs) throw new RangeError(`a chunk of ${chunk.dim} features per frame, but the network takes ${network.spec.inputs}`);
      if (!workspace || workspace.steps !== chunk.steps || workspace.streams !== chunk.streams) {
        release();
        workspace = createWorkspace(network.spec, chunk.steps, chunk.streams, network.kernels.alloc);
        state = zeroState(network.spec, chunk.streams);
      }
      forward(network.kernels, network.spec, network.weights, chunk.features, state!, chunk.reset, workspace);
      return workspace;
    },
    release,
  };
}
