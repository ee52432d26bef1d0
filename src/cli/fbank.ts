import { InvalidArgumentError, Option, type Command } from 'commander';
import { fail, orFail } from '../errors.js';
import { fbankPlan } from '../ops/dsp/fbank.js';
import { encodeNpy } from '../ops/codecs/npy.js';
import { featuresOf } from '../streams/pipeline/features.js';
import { readBytes, writeAtomic } from '../streams/io/files.js';
import { integerOption } from './options.js';

/** A 512-point FFT has 256 frequency bins: more mel bins than that cannot differ. */
const MAX_BINS = 256;

interface FbankCommandOptions {
  bins: number;
  cmvn?: 'utterance';
  out: string;
}

function binsOption(value: string): number {
  const bins = integerOption(1)(value);
  if (bins > MAX_BINS) throw new InvalidArgumentError(`expected at most ${MAX_BINS} bins, got ${bins}`);
  return bins;
}

/**
 * `lstmp fbank <file.wav> --out feats.npy`: Kaldi-compatible log mel
 * filterbank features of one WAV file, resampled to 16 kHz if needed, as a
 * float32 [frames, bins] .npy.
 */
export function registerFbank(program: Command): void {
  program
    .command('fbank')
    .description('compute log mel filterbank features (Kaldi compute-fbank-feats) of a WAV file into a float32 [frames, bins] .npy')
    .argument('<file.wav>', 'PCM or float WAV, any sample rate and channel count (mixed to mono)')
    .option('--bins <N>', 'mel bins per frame', binsOption, 40)
    .addOption(new Option('--cmvn <mode>', 'normalise each bin to mean 0, variance 1 over the utterance').choices(['utterance']))
    .requiredOption('--out <feats.npy>', 'where to write the features')
    .action((file: string, options: FbankCommandOptions) => {
      const features = orFail(featuresOf(readBytes(file), fbankPlan({ bins: options.bins }), options.cmvn ?? 'none'), file);
      if (features.frames === 0) fail(`${file}: too short for one 25 ms frame`);
      writeAtomic(options.out, encodeNpy({ dtype: 'float32', shape: [features.frames, features.bins], data: features.data }));
      process.stdout.write(`${options.out}: ${features.frames} frames × ${features.bins} bins\n`);
    });
}
