import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toneCorpus } from '../test/support/corpus.js';

/** True when the module at `moduleUrl` is the script `npx tsx` was given. */
function isScript(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === moduleUrl;
}

/**
 * Runs an example when its file is the script `npx tsx` was given:
 * `npx tsx examples/<name>.ts [CORPUS_DIR]`. Without a corpus directory a
 * small corpus of tones (the test suite's) is made in a temporary directory
 * and removed afterwards. Imported by the tests, it does nothing.
 */
export async function runExample<T>(moduleUrl: string, main: (corpus: string) => Promise<T>, show: (result: T) => string): Promise<void> {
  if (!isScript(moduleUrl)) return;
  const given = process.argv[2];
  const corpus = given ?? toneCorpus({ utterances: 60 });
  if (!given) console.log(`no corpus given: training on a small corpus of tones in ${corpus}`);
  try {
    console.log(show(await main(corpus)));
  } finally {
    if (!given) rmSync(corpus, { recursive: true, force: true });
  }
}

/** Runs an example that needs no corpus when its file is the script: `npx tsx examples/<name>.ts`. */
export function runStandalone<T>(moduleUrl: string, main: () => T, show: (result: T) => string): void {
  if (isScript(moduleUrl)) console.log(show(main()));
}
