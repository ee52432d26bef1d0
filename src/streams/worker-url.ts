/**
 * The URL of a worker thread's compiled entry script, `name` (without
 * extension) beside the module at `from` (its import.meta.url). Node runs
 * workers from JavaScript only, so when the caller runs from the TypeScript
 * sources (as under vitest), the entry is taken from the built `dist/` tree:
 * `npm run build` must have run, as `npm test` does first.
 *
 * @example
 * new Worker(workerUrl('train-worker', import.meta.url), { workerData })
 */
export function workerUrl(name: string, from: string): URL {
  const here = new URL(from);
  if (here.pathname.endsWith('.js')) return new URL(`./${name}.js`, here);
  const built = here.pathname.replace(/\/src\/((?:[^/]+\/)*)[^/]+\.ts$/, '/dist/$1');
  if (built === here.pathname) throw new Error(`cannot find the built worker ${name} for ${from}`);
  return new URL(`${name}.js`, new URL(`file://${built}`));
}
