import type { Hypothesis } from '../../streams/recognition/live-recognition.js';
import type { Lesson } from '../../streams/training/lesson.js';

/** What the live page asks of its thread. */
export type PageMessage =
  | { readonly type: 'load'; readonly lesson: Lesson; readonly data: ArrayBuffer }
  /** train this many more updates */
  | { readonly type: 'run'; readonly updates: number }
  | { readonly type: 'pause' }
  | { readonly type: 'trace'; readonly utterance: number; readonly chunk: number; readonly steps: number }
  | { readonly type: 'gradient-check'; readonly utterance: number; readonly chunk: number; readonly steps: number; readonly seed: number }
  | { readonly type: 'model'; readonly bytes: ArrayBuffer; readonly sampleRate: number }
  | { readonly type: 'audio'; readonly samples: ArrayBuffer }
  | { readonly type: 'audio-end' };

/** What the thread tells the page. */
export type ThreadMessage =
  | { readonly type: 'ready'; readonly utterances: readonly { readonly id: string; readonly frames: number }[]; readonly states: readonly string[] }
  /** updates first … first + steps.length − 1 */
  | { readonly type: 'steps'; readonly first: number; readonly steps: readonly { readonly loss: number; readonly frames: number; readonly correct: number }[]; readonly framesPerSecond: number; readonly ms: number }
  | { readonly type: 'paused'; readonly updates: number }
  | { readonly type: 'trace'; readonly html: string }
  | { readonly type: 'gradient-check'; readonly index: number; readonly analytic: number; readonly numeric: number; readonly epsilon: number }
  | { readonly type: 'listening' }
  | { readonly type: 'hypothesis'; readonly hypothesis: Hypothesis }
  | { readonly type: 'error'; readonly message: string };
