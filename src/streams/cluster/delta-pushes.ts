import { InputError } from '../../errors.js';
import type { Schedule } from '../../model/network/schedule.js';
import { deltaSince, rebase } from '../../ops/nn/local-sgd.js';
import type { ParameterServerClient, ServerPosition } from './parameter-client.js';

/** A worker's pushes of deltas: see {@link deltaPushes}. */
export interface DeltaPushes {
  /** the shards' schedule, which the worker's threads run */
  readonly schedule: Schedule;
  /**
   * Asks for a push of what training changed over `frames` more frames and
   * `updates` more steps. The promise settles once no request waits; it
   * never rejects (a failure goes to `failed`).
   */
  request(frames: number, updates: number): Promise<void>;
}

export interface DeltaPushOptions {
  /** the worker's copy of the parameters, which its threads train without pause */
  readonly parameters: Float32Array;
  /** the shards' values as pulled at the start: the base the first delta is taken from (updated in place) */
  readonly base: Float32Array;
  /** the part of its change a worker pushes: 1/W to average W workers' models, 1 to sum them */
  readonly share: number;
  /** where the shards stand after each push, and the frames this worker trained while it travelled */
  readonly answered: (answer: ServerPosition, trainedMeanwhile: number) => void;
  /** a push failed: nothing more is pushed */
  readonly failed: (error: unknown) => void;
  /** the run has stopped: nothing more is pushed */
  readonly stopped: () => boolean;
  /** frames this worker has trained so far (its clock): what it trained while a push travelled is the difference */
  readonly trained: () => number;
}

/**
 * A worker's side of local SGD over `server`. Each push takes the change
 * since the last (times `share`), sends it, and merges the shards' fresh
 * values into the parameters without losing the steps the threads took
 * meanwhile (`deltaSince`, `rebase`). One push travels at a time; the
 * requests that come meanwhile are taken together by the next. Every buffer
 * is allocated here, once.
 *
 * @example
 * const pushes = deltaPushes(server, { parameters, base, share: 1 / 2, answered, failed, stopped, trained });
 * thread.on('message', (m) => m.type === 'deltas' && void pushes.request(m.frames, m.updates));
 */
export function deltaPushes(server: ParameterServerClient, options: DeltaPushOptions): DeltaPushes {
  if (!server.schedule) throw new InputError('the shards do not say their learning-rate schedule, which a worker pushing deltas runs: start them with this version of lstmp ps, or push gradients');
  const { parameters, base, share } = options;
  const taken = new Float32Array(parameters.length);
  const delta = new Float32Array(parameters.length);
  const waiting = { frames: 0, updates: 0 };
  let pushing: Promise<void> | null = null;
  let broken = false;
  const drain = async () => {
    while (waiting.updates > 0 && !broken && !options.stopped()) {
      const { frames, updates } = waiting;
      waiting.frames = waiting.updates = 0;
      const before = options.trained();
      taken.set(parameters);
      deltaSince(taken, base, delta, share);
      const answer = await server.pushDelta(delta, frames, updates, base);
      // Without a lock, as Hogwild's threads race each other: a step a thread writes between this
      // merge's read and write of a value is lost.
      rebase(parameters, taken, base);
      options.answered(answer, options.trained() - before);
    }
  };
  return {
    schedule: server.schedule,
    request: (frames, updates) => {
      waiting.frames += frames;
      waiting.updates += updates;
      pushing ??= drain()
        .catch((error: unknown) => {
          broken = true;
          options.failed(error);
        })
        .finally(() => (pushing = null));
      return pushing;
    },
  };
}
