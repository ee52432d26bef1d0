/**
 * lstmp: LSTM and LSTMP acoustic models (Sak, Senior & Beaufays 2014) trained
 * by an RxJS dataflow pipeline. Everything public, from one place: the pure
 * operators (`lstmp/ops`), what a network and a corpus are (`lstmp/model`),
 * the pipeline stages (`lstmp/streams`), and the HTML report and teaching view.
 *
 * @example
 * import { utterances, features, delayTargets, chunk, bptt, sgd } from 'lstmp';
 *
 * @module
 */
export * from './ops/index.js';
export * from './model/index.js';
export * from './streams/index.js';
export { explainPage, type ExplainSource } from './report/explain.js';
export { reportPage } from './report/report.js';
export { InputError, fail, orFail } from './errors.js';
