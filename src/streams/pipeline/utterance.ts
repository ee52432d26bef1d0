/**
 * An utterance ready for training: features [frames, dim] row-major and one
 * HMM state per frame. A target of −1 marks a frame that adds no loss (the
 * first frames after a label delay, say).
 */
export interface LabelledUtterance {
  readonly id: string;
  readonly frames: number;
  readonly dim: number;
  readonly features: Float32Array;
  readonly targets: Int32Array;
}

/** The target value of a frame that adds no loss and no gradient. */
export const NO_TARGET = -1;
