#!/usr/bin/env node
/**
 * Builds the native kernels (src/ops/kernels/native/c/) into
 * build/native/lstmp-native.node with the C compiler at hand ($CC, or cc),
 * against the running Node's own headers. npm runs it at install.
 *
 * It never fails the install. Where it cannot build (no compiler, a failed
 * compile, not x86-64, no Node headers, LSTMP_NATIVE=0), it writes the
 * reason to build/native/not-built.txt, says so in one line, and exits 0:
 * lstmp then runs its WebAssembly kernels, and `--kernels auto` says why.
 *
 *   node scripts/build-native.mjs        # or: npm run build:native
 *   LSTMP_NATIVE=0 npm ci                # install without building it
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'src/ops/kernels/native/c');
const out = join(root, 'build/native');
const addon = join(out, 'lstmp-native.node');
const reasonFile = join(out, 'not-built.txt');

function skip(reason) {
  mkdirSync(out, { recursive: true });
  rmSync(addon, { force: true });
  writeFileSync(reasonFile, `${reason}\n`);
  process.stderr.write(`lstmp: native kernels not built (${reason}); lstmp will run its WebAssembly kernels\n`);
  process.exit(0);
}

const off = (process.env.LSTMP_NATIVE ?? '').toLowerCase();
if (['0', 'false', 'off', 'no'].includes(off)) skip(`turned off by LSTMP_NATIVE=${process.env.LSTMP_NATIVE}`);
if (process.arch !== 'x64') skip(`they are AVX2 and AVX-512 code, and this is ${process.arch}`);
if (process.platform !== 'linux' && process.platform !== 'darwin') skip(`the build supports Linux and macOS, and this is ${process.platform}`);
if (!existsSync(sources)) skip(`no sources at ${sources}`);

// node_api.h of the running Node: beside the binary in official builds and nvm, /usr/include/node
// in distribution packages, node-gyp's cache when it has fetched them.
const headerDirs = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include/node'),
  resolve(process.execPath, '../../include/node'),
  join(homedir(), '.cache/node-gyp', process.versions.node, 'include/node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter(Boolean);
const headers = headerDirs.find((dir) => existsSync(join(dir, 'node_api.h')));
if (!headers) skip(`no node_api.h for Node ${process.versions.node} (looked in ${headerDirs.join(', ')})`);

const cc = process.env.CC || 'cc';
const common = ['-O3', '-std=gnu11', '-fPIC', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter', `-I${headers}`];
// Each instruction set's unit is compiled for it, and only runs where cpu.c finds it.
const isaFlags = { 'avx2.c': ['-mavx2', '-mfma'], 'avx512.c': ['-mavx512f', '-mavx2', '-mfma'] };

function compile(file, extra = []) {
  const object = join(out, 'obj', file.replace(/\.c$/, '.o'));
  const run = spawnSync(cc, [...common, ...(isaFlags[file] ?? []), ...extra, '-c', join(sources, file), '-o', object], { encoding: 'utf8' });
  if (run.error) return { error: `the C compiler ${cc} did not run (${run.error.code ?? run.error.message})` };
  if (run.status !== 0) return { error: `the C compiler (${cc}) failed on ${file}: ${firstError(run.stderr) || `exit code ${run.status}`}` };
  return { object };
}

function firstError(stderr) {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  return (lines.find((line) => /error/i.test(line)) ?? lines[0] ?? '').slice(0, 200);
}

mkdirSync(join(out, 'obj'), { recursive: true });
const units = readdirSync(sources).filter((file) => file.endsWith('.c')).sort();
const objects = [];
let withoutAvx512 = false;
for (const file of units.filter((f) => f !== 'cpu.c')) {
  const result = compile(file);
  // An old compiler without AVX-512 still builds the AVX2 kernels.
  if (result.error && file === 'avx512.c') {
    withoutAvx512 = true;
    continue;
  }
  if (result.error) skip(result.error);
  objects.push(result.object);
}
const cpu = compile('cpu.c', withoutAvx512 ? ['-DLSTMP_NO_AVX512'] : []);
if (cpu.error) skip(cpu.error);
objects.push(cpu.object);

const linkFlags = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
const staged = join(out, 'lstmp-native.staged.node');
const link = spawnSync(cc, [...linkFlags, ...objects, '-o', staged, '-lm'], { encoding: 'utf8' });
if (link.error || link.status !== 0) skip(`linking failed: ${link.error?.message ?? firstError(link.stderr)}`);

// Load it once here, so a library that builds but does not load is found now and not at run time.
try {
  const loaded = createRequire(import.meta.url)(staged);
  renameSync(staged, addon);
  rmSync(reasonFile, { force: true });
  const runs = loaded.isas.length > 0 ? `this CPU runs ${loaded.isas.join(', ')}` : `but this CPU cannot run them: ${loaded.why}`;
  process.stderr.write(`lstmp: native kernels built (${withoutAvx512 ? 'AVX2 only: the compiler has no AVX-512' : 'AVX2 and AVX-512'}), ${runs}\n`);
} catch (error) {
  rmSync(staged, { force: true });
  skip(`the built addon does not load: ${String(error.message).split('\n')[0]}`);
}
