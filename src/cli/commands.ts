import type { Command } from 'commander';

type Registration = (program: Command) => void;

/**
 * Every CLI command by name, each loaded only when it runs: one command does
 * not pay for every other command's imports at start-up.
 */
export const commands: Readonly<Record<string, () => Promise<Registration>>> = {
  params: async () => (await import('./params.js')).registerParams,
  init: async () => (await import('./init.js')).registerInit,
  forward: async () => (await import('./forward.js')).registerForward,
  bptt: async () => (await import('./bptt.js')).registerBptt,
  fbank: async () => (await import('./fbank.js')).registerFbank,
  synth: async () => (await import('./synth.js')).registerSynth,
  import: async () => (await import('./import.js')).registerImport,
  align: async () => (await import('./align.js')).registerAlign,
  voices: async () => (await import('./voices.js')).registerVoices,
  train: async () => (await import('./train.js')).registerTrain,
  eval: async () => (await import('./eval.js')).registerEval,
  decode: async () => (await import('./decode.js')).registerDecode,
  report: async () => (await import('./report.js')).registerReport,
  explain: async () => (await import('./explain.js')).registerExplain,
  bench: async () => (await import('./bench.js')).registerBench,
  demo: async () => (await import('./demo.js')).registerDemo,
  ps: async () => (await import('./ps.js')).registerPs,
  worker: async () => (await import('./worker.js')).registerWorker,
  cluster: async () => (await import('./cluster.js')).registerCluster,
};

/** Other names commands answer to (commander's aliases), by the command they load. */
export const aliases: Readonly<Record<string, string>> = { 'import-kaldi': 'import' };
