/**
 * lstmp/testing: the kit lstmp's own tests are written with, for testing
 * what you add to lstmp. It imports no test runner: every check throws an
 * Error when it fails (fast-check's report, with the minimal counterexample,
 * for properties), so it runs under vitest, jest, `node --test` or plain
 * node. It needs fast-check (a peer dependency) besides lstmp's own.
 *
 * - Kernels: `kernelConformance(kernels)` checks any kernel set against the
 *   float64 references; the references and arbitraries it is built from.
 * - Gradients: `gradcheck` and `numericGradient`, float64 central
 *   differences of any scalar loss; `closeTo` compares arrays and reports
 *   the worst element.
 * - The LSTMP: `runForward`, `runBackward` on a chunk and `referenceLstmpLoss`,
 *   its float64 reference.
 * - Stages: `runMarbles` and `errorLike` for marble tests of RxJS stages;
 *   `checkChunkContract` for chunking stages, `chunkedUtterances` for
 *   chunks that honour it.
 * - Audio: `toneAudio`, `noiseAudio`, `silentAudio`, `speechLikeAudio` and
 *   `audio` at any `sampleRate`; WAV files to read (`validWav`), to refuse
 *   (`adversarialWav`) and to read past (`recoverableWav`);
 *   `referenceFbank`, Kaldi's filterbank in float64.
 *
 * docs/testing.md walks through three runnable examples.
 *
 * @example
 * import { createWasmKernels } from 'lstmp';
 * import { kernelConformance } from 'lstmp/testing';
 * for (const check of kernelConformance(createWasmKernels())) check.run();
 *
 * @module
 */
export { kernelConformance, type ConformanceCheck, type ConformanceOptions, type Placement } from './conformance.js';
export { closeTo, describeDiscrepancy, shareOfBound, ulpOf, type Discrepancy, type Tolerance } from './close-to.js';
export { gradcheck, numericGradient, type GradcheckOptions, type GradcheckResult, type GradientDiscrepancy, type Parameters } from './gradcheck.js';
export {
  referenceCellStep,
  referenceCrossEntropyGradient,
  referenceLogSoftmaxRows,
  referenceSgdStep,
  referenceSgemm,
  type CellStepInput,
  type CellStepResult,
  type SgdStepCall,
  type SgemmCall,
} from './references.js';
export {
  cellStepCase,
  chunkedUtterances,
  floatsWithSpecials,
  labelledUtterances,
  lstmpCase,
  lstmpParameters,
  lstmpSpec,
  seededFloats,
  sgdStepCase,
  sgemmCase,
  softmaxCase,
  type CellStepCase,
  type ChunkedUtterances,
  type LstmpCase,
  type LstmpCaseOptions,
  type LstmpSpecBounds,
  type SgdStepCase,
  type SgemmCase,
  type SoftmaxCase,
} from './arbitraries.js';
export { copyState, referenceLstmpLoss, runBackward, runForward, type ChunkData, type Nudge } from './network.js';
export { assertSameMarbles, ErrorLike, errorLike, runMarbles, sameValue } from './marbles.js';
export { checkChunkContract } from './chunk-contract.js';
export {
  audio,
  COMMON_SAMPLE_RATES,
  noiseAudio,
  sampleRate,
  silentAudio,
  speechLikeAudio,
  toneAudio,
  type AudioBounds,
  type AudioCase,
  type AudioKind,
  type SpeechLikeCase,
  type ToneCase,
} from './audio.js';
export {
  adversarialWav,
  recoverableWav,
  validWav,
  WAV_DEFECTS,
  WAV_ENCODINGS,
  type AdversarialWav,
  type RecoverableWav,
  type ValidWav,
  type WavBounds,
  type WavDamage,
  type WavDefect,
  type WavEncoding,
} from './wav.js';
export { referenceFbank, type ReferenceFeatures } from './fbank-reference.js';
