/**
 * The live page's thread (a Web Worker): it trains the lesson, traces a chunk
 * of truncated BPTT, checks a gradient by finite differences and recognises
 * the microphone, so that the page itself never waits. The same src/ops and
 * src/streams code as Node runs here, on the WebAssembly kernels.
 */
import * as E from 'fp-ts/lib/Either.js';
import { from, lastValueFrom } from 'rxjs';
import { decodeCheckpoint } from '../../model/formats/checkpoint.js';
import { createWasmKernels } from '../../ops/kernels/wasm/wasm-kernels.js';
import type { Kernels } from '../../ops/kernels/kernels.js';
import { bptt } from '../../streams/pipeline/bptt.js';
import { liveRecognition, type LiveRecognition } from '../../streams/recognition/live-recognition.js';
import { DEFAULT_RECOGNIZER_OPTIONS, recognizerOf } from '../../streams/recognition/recognizer.js';
import { traceChunk } from '../../streams/training/chunk-trace.js';
import { decodeLessonData, lessonChunkOf, lessonNetwork, lessonTrainer, type Lesson, type LessonData, type LessonTrainer } from '../../streams/training/lesson.js';
import { explainPage } from '../explain.js';
import type { PageMessage, ThreadMessage } from './protocol.js';

const post = (message: ThreadMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

/** 256 MB of wasm memory up front: a memory that is not shared cannot grow under the views the kernels hold. */
function kernels(): Kernels {
  const shared = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return createWasmKernels({ memory: new WebAssembly.Memory({ initial: 4096, maximum: 65536, shared }) });
}

let data: LessonData | null = null;
let lesson: Lesson | null = null;
let trainer: LessonTrainer | null = null;
let running = false;
let updates = 0;
let target = 0;
let listening: LiveRecognition | null = null;

/** Gives the event loop a turn (a message may be waiting) without the 4 ms clamp of nested timeouts. */
const yieldTurn = (() => {
  const channel = new MessageChannel();
  let resume: (() => void) | null = null;
  channel.port1.onmessage = () => resume?.();
  return () =>
    new Promise<void>((resolve) => {
      resume = resolve;
      channel.port2.postMessage(null);
    });
})();

/** Trains until `target` updates or a pause, reporting every 100 ms of work. */
async function run(): Promise<void> {
  if (running || trainer === null) return;
  running = true;
  try {
    while (running && updates < target) {
      const began = performance.now();
      const steps: { loss: number; frames: number; correct: number }[] = [];
      let frames = 0;
      while (updates < target && performance.now() - began < 100) {
        const step = trainer.next();
        updates++;
        frames += step.frames;
        steps.push({ loss: step.loss, frames: step.frames, correct: step.correct });
      }
      const ms = performance.now() - began;
      post({ type: 'steps', first: updates - steps.length, steps, framesPerSecond: frames / (ms / 1000), ms });
      await yieldTurn();
    }
  } catch (error) {
    post({ type: 'error', message: (error as Error).message });
  } finally {
    running = false;
    post({ type: 'paused', updates });
  }
}

async function trace(message: Extract<PageMessage, { type: 'trace' }>): Promise<void> {
  if (trainer === null || data === null || lesson === null) return;
  const utterance = data.utterances[message.utterance];
  const traced = await traceChunk(trainer.network, utterance, { steps: message.steps, index: message.chunk, delay: lesson.delay });
  post({ type: 'trace', html: explainPage(traced, { checkpoint: `the live lesson after ${updates} updates`, corpus: 'the page’s SynthDigits', states: data.states }) });
}

/**
 * The gradient of one weight on the traced chunk, from truncated BPTT and by
 * central differences of the chunk's loss (ε = 1e-2, float32 throughout):
 * the weight with the largest gradient among 64 drawn, so that rounding does
 * not drown the difference.
 */
async function gradientCheck(message: Extract<PageMessage, { type: 'gradient-check' }>): Promise<void> {
  if (trainer === null || data === null || lesson === null) return;
  const { network } = trainer;
  const chunks = lessonChunkOf(lesson, data, message.utterance, message.steps, message.chunk);
  const lossAndGradient = async () => {
    const last = await lastValueFrom(from(chunks).pipe(bptt(network)));
    return { loss: last.loss, gradient: last.gradient.slice() };
  };
  const { gradient } = await lossAndGradient();
  let index = 0;
  for (let k = 0, seed = message.seed; k < 64; k++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const candidate = seed % gradient.length;
    if (Math.abs(gradient[candidate]) > Math.abs(gradient[index])) index = candidate;
  }
  const epsilon = 1e-2;
  const original = network.parameters[index];
  network.parameters[index] = original + epsilon;
  const plus = (await lossAndGradient()).loss;
  network.parameters[index] = original - epsilon;
  const minus = (await lossAndGradient()).loss;
  network.parameters[index] = original;
  const numeric = (plus - minus) / (2 * epsilon);
  post({ type: 'gradient-check', index, analytic: gradient[index], numeric, epsilon });
}

function load(message: Extract<PageMessage, { type: 'load' }>): void {
  const decoded = decodeLessonData(new Uint8Array(message.data));
  if (E.isLeft(decoded)) {
    post({ type: 'error', message: decoded.left });
    return;
  }
  data = decoded.right;
  lesson = message.lesson;
  running = false;
  updates = 0;
  target = 0;
  trainer = lessonTrainer(lesson, data, lessonNetwork(lesson, data, kernels()));
  post({ type: 'ready', utterances: data.utterances.map((u) => ({ id: u.id, frames: u.frames })), states: [...data.states] });
}

function model(bytes: ArrayBuffer, sampleRate: number): void {
  const checkpoint = decodeCheckpoint(new Uint8Array(bytes));
  const recognizer = E.isLeft(checkpoint) ? checkpoint : recognizerOf(checkpoint.right, { ...DEFAULT_RECOGNIZER_OPTIONS, kernels: kernels() });
  if (E.isLeft(recognizer)) {
    post({ type: 'error', message: `the model: ${recognizer.left}` });
    return;
  }
  listening = liveRecognition(recognizer.right, { sampleRate });
  post({ type: 'listening' });
}

self.onmessage = (event: MessageEvent<PageMessage>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'load':
        return load(message);
      case 'run':
        target = updates + message.updates;
        void run();
        return;
      case 'pause':
        running = false;
        return;
      case 'trace':
        void trace(message).catch((error: Error) => post({ type: 'error', message: error.message }));
        return;
      case 'gradient-check':
        void gradientCheck(message).catch((error: Error) => post({ type: 'error', message: error.message }));
        return;
      case 'model':
        return model(message.bytes, message.sampleRate);
      case 'audio':
        for (const hypothesis of listening?.accept(new Float32Array(message.samples)) ?? []) post({ type: 'hypothesis', hypothesis });
        return;
      case 'audio-end':
        for (const hypothesis of listening?.end() ?? []) post({ type: 'hypothesis', hypothesis });
        listening = null;
        return;
    }
  } catch (error) {
    post({ type: 'error', message: (error as Error).message });
  }
};
