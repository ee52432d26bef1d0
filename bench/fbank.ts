/**
 * Speed of the feature front end on one core: Kaldi filterbank features
 * (40 bins, 25 ms frames every 10 ms) over three minutes of synthetic 16 kHz
 * audio, and resampling a minute of 22.05, 44.1 and 48 kHz audio to 16 kHz.
 *
 *     npx tsx bench/fbank.ts      # or: npm run bench:fbank
 *
 * Prints frames/s and how many times faster than real time; the target is
 * ≥ 200× real time for fbank.
 */
import { fbank, fbankPlan } from '../src/ops/dsp/fbank.js';
import { mulberry32 } from '../src/ops/random.js';
import { resample } from '../src/ops/dsp/resample.js';

/** A rising chirp plus noise: energy in every band, like speech, unlike silence. */
function syntheticAudio(seconds: number, rate: number): Float32Array {
  const random = mulberry32(1);
  const samples = new Float32Array(Math.round(seconds * rate));
  let phase = 0;
  for (let i = 0; i < samples.length; i++) {
    const hz = 100 + ((i / rate) % 5) * 1500;
    phase += (2 * Math.PI * hz) / rate;
    samples[i] = 0.4 * Math.sin(phase) + 0.05 * (2 * random() - 1);
  }
  return samples;
}

interface Timing {
  wall: number;
  cpu: number;
}

/**
 * The fastest of `repeats` runs of `run`, in seconds of wall-clock time and
 * of this process's CPU time (which a busy machine inflates less).
 */
function best(repeats: number, run: () => void): Timing {
  const fastest = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    run();
    const used = process.cpuUsage(cpu);
    fastest.wall = Math.min(fastest.wall, Number(process.hrtime.bigint() - start) / 1e9);
    fastest.cpu = Math.min(fastest.cpu, (used.user + used.system) / 1e6);
  }
  return fastest;
}

function speed(seconds: number, time: Timing): string {
  return `${Math.round(seconds / time.wall)}× real time (wall clock ${(time.wall * 1000).toFixed(0)} ms; by CPU time ${Math.round(seconds / time.cpu)}×)`;
}

const seconds = 180;
const audio = syntheticAudio(seconds, 16000);
const plan = fbankPlan();
fbank(plan, audio.subarray(0, 16000 * 10)); // warm up the JIT
let frames = 0;
const time = best(5, () => (frames = fbank(plan, audio).frames));
console.log(`fbank, ${seconds} s of 16 kHz audio: ${Math.round(frames / time.wall).toLocaleString('en-US')} frames/s, ${speed(seconds, time)}`);

for (const rate of [22050, 44100, 48000]) {
  const minute = syntheticAudio(60, rate);
  resample(minute.subarray(0, rate), rate, 16000);
  console.log(`resample ${rate} → 16000 Hz, 60 s of audio: ${speed(60, best(3, () => resample(minute, rate, 16000)))}`);
}
