import type { AugmentationPlan } from '../../model/augmentation/plan.js';
import type { ModelConfig } from '../../model/network/config.js';
import type { Schedule } from '../../model/network/schedule.js';
import type { ChunkOptions } from '../pipeline/chunk.js';
import type { GradientMailbox } from '../pipeline/push-gradients.js';
import type { ThreadFailure } from '../threads/thread.js';
import type { SharedParameters } from './shared-parameters.js';

/** Everything a training thread needs: plain data, cloned (or shared) into the worker. */
export interface TrainingThreadSetup {
  readonly corpus: string;
  readonly config: ModelConfig;
  /** the one parameter buffer every thread updates (Hogwild), and the kernels that run on it */
  readonly parameters: SharedParameters;
  /** the shared frame clock: drives the schedule (local updates) or follows the shards' count (remote) */
  readonly clock: SharedArrayBuffer;
  /** one Int32: set to 1 by the main thread to make every thread finish its chunk and stop */
  readonly stop: SharedArrayBuffer;
  readonly update: ThreadUpdate;
  readonly chunking: ChunkOptions;
  readonly delay: number;
  readonly shard: { readonly index: number; readonly count: number };
  readonly firstEpoch: number;
  readonly epochs: number;
  /** stop once the clock reaches this many frames */
  readonly maxFrames: number;
  readonly seed: number;
  readonly shuffleBuffer: number;
  readonly cmvn: { readonly mean: Float32Array; readonly invStd: Float32Array };
  readonly strict: boolean;
  /** how often (ms) a thread reports its progress */
  readonly reportEvery: number;
  /** augment every utterance afresh each epoch, babble from `bank` */
  readonly augmentation?: { readonly plan: AugmentationPlan; readonly bank: readonly Float32Array[] };
  /** an alignments file to read in place of the corpus's alignments.txt (line for line with its manifest) */
  readonly alignments?: string;
}

/** What the main thread tells a training thread while it trains. */
export type TrainingThreadCommand =
  /** train on these alignments from the next epoch on */
  { readonly type: 'alignments'; readonly path: string };

/**
 * How a thread updates the parameters: SGD on the process's shared buffer
 * (one machine); by pushing its gradients to the parameter server through
 * its mailbox every `pushEvery` chunks (many machines); or SGD on the shared
 * buffer, asking the process every `pushEvery` chunks to push what changed
 * (local SGD on many machines).
 */
export type ThreadUpdate =
  | { readonly kind: 'local'; readonly schedule: Schedule }
  | { readonly kind: 'remote'; readonly mailbox: GradientMailbox; readonly pushEvery: number }
  | { readonly kind: 'deltas'; readonly schedule: Schedule; readonly pushEvery: number };

/** What a training thread tells the main thread. */
export type TrainingThreadMessage =
  | { readonly type: 'progress'; readonly updates: number; readonly loss: number; readonly frames: number; readonly correct: number; readonly learningRate: number }
  | { readonly type: 'epoch'; readonly epoch: number }
  /** the thread's mailbox holds a gradient summed over `frames` frames: push it, answer, wake the thread */
  | { readonly type: 'push'; readonly frames: number }
  /** pushing deltas: the thread has trained `frames` more frames in `updates` steps; push what changed once the push before is through */
  | { readonly type: 'deltas'; readonly frames: number; readonly updates: number }
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string }
  | { readonly type: 'done' }
  | ThreadFailure;
