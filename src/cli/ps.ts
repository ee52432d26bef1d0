import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { firstValueFrom, merge } from 'rxjs';
import { basename, join } from 'node:path';
import { fail, InputError, orFail } from '../errors.js';
import { modelIdentity } from '../model/network/identity.js';
import { decodeShardState, encodeShardState, shardOf, type ShardState } from '../model/cluster/shard-state.js';
import type { ShardLine } from '../model/cluster/shard-line.js';
import { loadCheckpoint } from '../streams/io/checkpoint-file.js';
import { listDirectory, makeDirectory, readBytes, removeFile, writeAtomic } from '../streams/io/files.js';
import { serveShard, type Refusal } from '../streams/cluster/parameter-server.js';
import { quietGrpc } from '../streams/cluster/parameter-service.js';
import { parentGone } from '../streams/cluster/parent.js';
import { isLoopback, readSecret, secretFileWarning } from '../streams/cluster/secret.js';
import {
  addPresetOption,
  addScheduleOptions,
  hostPortOption,
  partOption,
  positiveOption,
  scheduleFromOptions,
  withPreset,
  type ScheduleOptions,
  type Unresolved,
} from './training-options.js';
import { integerOption } from './options.js';
import { stopRequests } from './stop.js';

interface PsOptions extends ScheduleOptions {
  shard: { index: number; count: number };
  listen: string;
  state: string;
  init?: string;
  saveEvery: number;
  maxStaleness?: number;
  secretFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  jsonl?: boolean;
  quiet?: boolean;
}

/**
 * The shard's state: the saved one in the state directory if there is one
 * (a restart), else a fresh slice of `--init`'s parameters.
 */
function loadState(options: PsOptions, file: string): ShardState {
  const { index, count } = options.shard;
  const initial = options.init ? loadCheckpoint(options.init) : undefined;
  if (existsSync(file)) {
    const saved = orFail(decodeShardState(readBytes(file)), file);
    if (saved.range.index !== index || saved.range.count !== count) fail(`${file}: holds shard ${saved.range.index}/${saved.range.count}, not ${index}/${count}`);
    if (initial && modelIdentity(initial.config) !== modelIdentity(saved.config)) fail(`${file}: holds a shard of another network than ${options.init}`);
    return saved;
  }
  if (!initial) return fail(`${file}: no saved shard state; give --init ck.msgpack (lstmp init) to start a new shard`);
  return shardOf(initial.config, initial.parameters, index, count, initial.training?.framesSeen ?? 0);
}

/**
 * `lstmp ps`: serves one shard of the parameter server until stopped. It
 * saves its slice and schedule position atomically every --save-every
 * seconds and on SIGTERM/SIGINT, and restarts from them.
 */
export function registerPs(program: Command): void {
  const command = program.command('ps').description('serve one shard of the parameter server for distributed ASGD');
  addPresetOption(addScheduleOptions(command))
    .requiredOption('--shard <i/S>', 'serve shard i of S (contiguous slices of the parameter vector)', partOption)
    .option('--listen <HOST:PORT>', 'address to listen on (port 0: any free port)', hostPortOption, '127.0.0.1:7070')
    .requiredOption('--state <DIR>', 'directory of the shard state file: saved at intervals and on SIGTERM, resumed on start')
    .option('--init <ck.msgpack>', 'the network to start from when there is no saved state (lstmp init)')
    .option('--save-every <s>', 'seconds between state saves', positiveOption, 30)
    .option('--max-staleness <s>', 'bounded staleness: a push more than s pushes ahead of the slowest worker thread waits for its reply (0: synchronous; default: never waits)', integerOption(0))
    .option('--secret-file <file>', 'file holding the shared secret (default: $LSTMP_SECRET)')
    .option('--tls-cert <cert.pem>', 'serve over TLS with this certificate chain (with --tls-key)')
    .option('--tls-key <key.pem>', 'the TLS private key')
    .option('--jsonl', 'print events as JSON lines (what lstmp cluster reads)')
    .option('--quiet', 'print nothing but errors')
    .action(async (given: Unresolved<PsOptions>) => {
      const options = withPreset(given);
      // Stopped by a signal, or by the end of the `lstmp cluster` that started it; listened for before
      // anyone can know this shard is there.
      const stopped = firstValueFrom(merge(stopRequests(), parentGone()));
      quietGrpc();
      const secret = readSecret(options.secretFile);
      // Warnings, not progress: on stderr whatever --jsonl or --quiet.
      const warn = (text: string | null) => text && process.stderr.write(`lstmp: warning: ${text}\n`);
      if (options.secretFile) warn(secretFileWarning(options.secretFile));
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) fail('--tls-cert and --tls-key go together');
      const tls = options.tlsCert && options.tlsKey ? { certificate: readBytes(options.tlsCert), key: readBytes(options.tlsKey) } : undefined;
      const schedule = scheduleFromOptions(options);
      makeDirectory(options.state);
      const file = join(options.state, `shard-${options.shard.index}-of-${options.shard.count}.msgpack`);
      // A save cut short (the shard killed while writing) leaves its temporary file: never the state, only litter.
      for (const name of listDirectory(options.state)) if (name.startsWith(`.${basename(file)}.`) && name.endsWith('.tmp')) removeFile(join(options.state, name));
      const resumed = existsSync(file);
      const state = loadState(options, file);
      const where = `shard ${options.shard.index}/${options.shard.count}`;
      const say = (line: ShardLine, text: string) => {
        if (options.jsonl) process.stdout.write(`${JSON.stringify(line)}\n`);
        else if (!options.quiet) process.stderr.write(`${where}: ${text}\n`);
      };
      let lastRefusal = 0;
      const server = await serveShard({
        state,
        schedule,
        secret,
        listen: options.listen,
        tls,
        maxStaleness: options.maxStaleness,
        refused: (reason: Refusal, message: string) => {
          // One line a second at most: a flood of bad calls must not flood the log (Info counts them all).
          if (Date.now() - lastRefusal < 1000) return;
          lastRefusal = Date.now();
          say({ type: 'refused', reason, message }, `refused a call: ${message}`);
        },
      });
      const status = (type: 'status' | 'saved' | 'stopped') => {
        const { framesSeen, updates, learningRate, refused } = server.info();
        const refusals = Object.values(refused).reduce((a, b) => a + b, 0);
        say({ type, framesSeen, updates, learningRate, refused }, `${type}: frames seen ${framesSeen}, updates ${updates}, learning rate ${learningRate.toExponential(2)}, refused ${refusals}`);
      };
      let savedUpdates = resumed ? state.updates : -1;
      const save = () => {
        if (state.updates === savedUpdates) return;
        // A state directory removed under a running shard is made again.
        makeDirectory(options.state);
        writeAtomic(file, encodeShardState(state));
        savedUpdates = state.updates;
        status('saved');
      };
      const unsaved = () => state.updates - Math.max(savedUpdates, 0);
      /** A save that may fail (a full disk, the state directory gone): said and tried again later, while the shard serves on. */
      const trySave = (): string | null => {
        try {
          save();
          return null;
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          say({ type: 'save-failed', message: error.message, unsaved: unsaved() }, `cannot save its state (${error.message}); ${unsaved()} updates not saved yet, trying again`);
          return error.message;
        }
      };
      save();
      if (!tls && !isLoopback(server.address.slice(0, server.address.lastIndexOf(':')))) {
        warn(`listening in plaintext on ${server.address}: the secret and the parameters cross the network unencrypted (give --tls-cert and --tls-key)`);
      }
      say(
        { type: 'listening', address: server.address, model: server.info().model, framesSeen: state.framesSeen },
        `${state.range.length.toLocaleString('en-US')} values of ${server.info().model}, listening on ${server.address}${tls ? ' (TLS)' : ''}, frames seen ${state.framesSeen}`,
      );
      const saving = setInterval(trySave, options.saveEvery * 1000);
      const reporting = setInterval(() => status('status'), 10_000);
      await stopped;
      clearInterval(saving);
      clearInterval(reporting);
      await server.close();
      // The last save is tried a few times, a second apart; if it still fails, what is lost is said.
      let failure = trySave();
      for (let attempt = 1; failure !== null && attempt < 3; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        failure = trySave();
      }
      if (failure !== null) fail(`${where} cannot save its state (${failure}): the ${unsaved()} updates since its last save are lost`);
      status('stopped');
    });
}
