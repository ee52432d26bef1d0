/**
 * lstmp: LSTM and LSTMP acoustic models (Sak, Senior & Beaufays 2014) trained
 * by an RxJS dataflow pipeline. This entry point names what a pipeline author
 * needs: the stages in the order a chunk meets them, training runs, networks
 * and the kernels they run on, recognition, files, and the errors lstmp
 * throws. Everything else, room by room, is under `lstmp/ops`, `lstmp/model`
 * and `lstmp/streams` (docs/architecture.md); the kit for testing what you
 * add is `lstmp/testing` (docs/testing.md).
 *
 * @example
 * import { utterances, features, delayTargets, chunk, bptt, sgd, networkOf, initParameters } from 'lstmp';
 * const network = networkOf(config, initParameters(config, 1, 0.1));
 * utterances('corpora/synthdigits', { split: 'train' })
 *   .pipe(features({ normalisation: 'utterance' }), delayTargets(5), chunk({ streams: 4, steps: 20 }), bptt(network), sgd(network, schedule))
 *   .subscribe();
 *
 * @module
 */

// Sources and stages, in the order an utterance meets them.
export { corpusEntries, corpusStates, splitFrames, utterances, type CorpusEntry, type CorpusQuery } from './streams/corpora/corpus.js';
export { features, featuresOf, type AudioUtterance, type FeatureOptions, type Normalisation, type SkippedUtterance } from './streams/pipeline/features.js';
export { NO_TARGET, type LabelledUtterance } from './streams/pipeline/utterance.js';
export { delayTargets, delayUtterance } from './streams/pipeline/delay-targets.js';
export { chunk, type Chunk, type ChunkOptions } from './streams/pipeline/chunk.js';
export { bptt, type ChunkGradient } from './streams/pipeline/bptt.js';
export { assertFinite, sgd, type TrainingStep } from './streams/pipeline/sgd.js';
export { mailboxFor, pushGradients, type GradientMailbox } from './streams/pipeline/push-gradients.js';
export { pushDeltas } from './streams/pipeline/push-deltas.js';
export { frameAccuracy, runningScore, score, type Score } from './streams/pipeline/score.js';
export { localClock, sharedClock, type FrameClock } from './streams/pipeline/frame-clock.js';
export { operate, type StageHandlers } from './streams/pipeline/operate.js';

// Training runs: Hogwild threads, a parameter server, their events and sinks.
export { train, TRAINING_DEFAULTS, type TrainOptions, type TrainUpdate } from './streams/training/train.js';
export type { Position, TrainEvent } from './streams/training/training-events.js';
export { keepRun } from './streams/training/keep-run.js';
export { appendMetrics, metricsLine } from './streams/training/metrics.js';
export { corpusCmvn, devEvaluator, evaluate, type EvaluationOptions } from './streams/training/evaluate.js';
export { connectShards, type ConnectOptions, type ParameterServerClient, type ServerPosition } from './streams/cluster/parameter-client.js';
export { serveShard, type ShardServer, type ShardServerOptions } from './streams/cluster/parameter-server.js';
export { shardOf, type ShardState } from './model/cluster/shard-state.js';

// Networks and how they learn.
export { networkOf, type Network } from './model/network/network.js';
export { decodeModelConfig, describeNetwork, ModelConfigCodec, type ModelConfig } from './model/network/config.js';
export { initParameters, INIT_RANGE } from './model/network/init.js';
export { layoutOf, parameterCounts, viewsOf, type Layout } from './model/network/layout.js';
export { decodeSchedule, learningRateAt, ScheduleCodec, type Schedule } from './model/network/schedule.js';
export { PRESET_NAMES, TRAINING_PRESETS, type PresetName, type TrainingPreset } from './model/network/presets.js';

// Kernels, behind one switch.
export { KERNEL_CHOICES, KERNEL_NAMES, kernelsNamed, resolveKernels, type KernelChoice, type KernelName } from './ops/kernels/choice.js';
export { AS_IS, TRANSPOSED, type Kernels } from './ops/kernels/kernels.js';
export { portableKernels } from './ops/kernels/portable/portable-kernels.js';
export { createWasmKernels, type WasmKernels } from './ops/kernels/wasm/wasm-kernels.js';
export { createNativeKernels, nativeIsas, type NativeKernels, type NativeKernelsOptions } from './ops/kernels/native/native-kernels.js';

// Features.
export { defaultFbankOptions, fbank, fbankPlan, frameCount, type FbankOptions, type FbankPlan, type FeatureMatrix } from './ops/dsp/fbank.js';
export { accumulateCmvn, applyCmvn, cmvnTransform, emptyCmvnStats, normaliseUtterance, type CmvnStats, type CmvnTransform } from './ops/dsp/cmvn.js';
export { resample } from './ops/dsp/resample.js';

// Recognition.
export { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf, type AcousticModel, type Recognition, type Recognizer, type RecognizerOptions } from './streams/recognition/recognizer.js';
export { recognize, type RecognizedUtterance } from './streams/recognition/recognize.js';
export { recognizeStream } from './streams/recognition/recognize-stream.js';
export { audioBlocks, type AudioBlock, type AudioBlockOptions } from './streams/io/audio-blocks.js';
export { liveRecognition, DEFAULT_ENDPOINT_MS, type Hypothesis, type LiveOptions, type LiveRecognition } from './streams/recognition/live-recognition.js';
export { recognizeCorpus, type CorpusRecognitionEvent, type CorpusRecognitionOptions } from './streams/recognition/recognize-corpus.js';
export { splitTranscripts, wordErrors, type ScoredEvent } from './streams/recognition/word-errors.js';
export { corpusDecodingModel } from './streams/recognition/corpus-decoding-model.js';

// Corpora.
export { synthesizeCorpus, type SynthEvent, type SynthOptions } from './streams/corpora/synth.js';
export { importKaldi, type KaldiImportOptions, type KaldiImportResult } from './streams/corpora/kaldi-import.js';

// Files and what they hold.
export { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './model/formats/checkpoint.js';
export { loadCheckpoint, saveCheckpoint } from './streams/io/checkpoint-file.js';
export { decodeWav, encodeWav, type Audio } from './ops/codecs/wav.js';
export { decodeNpy, encodeNpy, type NpyArray } from './ops/codecs/npy.js';
export { readNpy, writeNpy } from './streams/io/npy-file.js';
export { readRun, writeRunSummary, type RunRecord } from './streams/io/run-dir.js';

// Pages.
export { explainPage, type ExplainSource } from './report/explain.js';
export { reportPage } from './report/report.js';

// Errors: the user's (one line, exit code 2), and a diverged run.
export { DivergedError, fail, InputError, orFail } from './errors.js';
