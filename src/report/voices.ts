import type { SpeakerLine } from '../model/synthesis/speakers.js';
import { isTemplateVoice, TEST_REGION } from '../model/synthesis/speakers.js';
import { definitionTable, escapeHtml, figureCard, formatNumber, htmlPage, section } from './html.js';
import { lineChart, type Point } from './svg-chart.js';

/** One speaker's clip: a short WAV (base64) of one of its utterances, and what it says. */
export interface VoiceClip {
  readonly utterance: string;
  readonly words: readonly string[];
  readonly wavBase64: string;
}

export interface VoicesSource {
  readonly corpus: string;
  readonly speakers: readonly SpeakerLine[];
  /** by speaker id; a speaker without one (it spoke no utterance) gets none */
  readonly clips: ReadonlyMap<string, VoiceClip>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the table says of a speaker's parameters, briefly. */
function parameters(speaker: SpeakerLine): string {
  if (!speaker.params) return speaker.voice === speaker.base ? 'the stock voice' : `stock variant ${escapeHtml(speaker.voice.slice(speaker.base.length + 1))}`;
  if (speaker.synthesizer === 'flite') {
    const p = speaker.params;
    return `pitch ${formatNumber(p.f0Mean)} ± ${formatNumber(p.f0Std)} Hz, durations × ${formatNumber(p.durationStretch)}`;
  }
  const p = speaker.params;
  if (isTemplateVoice(p)) return `eSpeak’s variant ${escapeHtml(p.template)}, pitch × ${formatNumber(p.pitchScale)}, formants × ${formatNumber(p.formantScale)}`;
  const engine = p.klatt > 0 ? `Klatt ${p.klatt}` : 'formant engine';
  const breath = p.breath.some((b) => b > 0) ? ', breathy' : '';
  return `pitch ${p.pitch[0]}–${p.pitch[1]} Hz, vocal tract × ${formatNumber(p.tractScale)}, flutter ${p.flutter}, roughness ${p.roughness}${breath}, ${engine}`;
}

/** A scatter of speakers by two of their parameters, training and test speakers apart. */
function scatter(title: string, speakers: readonly SpeakerLine[], at: (s: SpeakerLine) => Point | null, x: string, y: string, note: string): string {
  const points = (split: 'train' | 'test') => speakers.filter((s) => s.split === split).map(at).filter((p): p is Point => p !== null);
  return lineChart({
    title,
    x: { label: x },
    y: { label: y },
    series: [
      { name: `training speakers (${points('train').length})`, points: points('train'), mark: 'dots', colour: 1 },
      { name: `test speakers (${points('test').length})`, points: points('test'), mark: 'dots', colour: 2 },
    ],
    note,
  });
}

/**
 * A page where a person can hear a corpus's speakers: a short clip of each
 * (embedded, so the page stays one file), its synthesizer, base voice,
 * group and parameters, and scatter plots of where the generated speakers
 * lie (eSpeak's by pitch and vocal tract scale, flite's by pitch and
 * duration), training and test speakers marked.
 */
export function voicesPage(source: VoicesSource): string {
  const { speakers } = source;
  const espeak = speakers.filter((s) => s.synthesizer === 'espeak' && s.params);
  const flite = speakers.filter((s) => s.synthesizer === 'flite' && s.params);
  const test = speakers.filter((s) => s.split === 'test');
  const bases = (split: 'train' | 'test') => [...new Set(speakers.filter((s) => s.split === split).map((s) => `${s.synthesizer} ${s.base}`))].sort();
  const cards = `<div class="cards">${[
    figureCard('speakers', String(speakers.length), `${speakers.length - test.length} training, ${test.length} test`),
    figureCard('eSpeak NG', String(speakers.filter((s) => s.synthesizer === 'espeak').length), 'speakers'),
    figureCard('flite', String(speakers.filter((s) => s.synthesizer === 'flite').length), 'speakers'),
    figureCard('base voices', String(new Set(speakers.map((s) => `${s.synthesizer} ${s.base}`)).size), `${bases('test').length} heard only in test`),
  ].join('')}</div>`;

  const charts: string[] = [];
  const templated = espeak.filter((s) => s.synthesizer === 'espeak' && s.params && isTemplateVoice(s.params));
  if (templated.length > 0) {
    charts.push(
      scatter(
        'eSpeak NG speakers: pitch and vocal tract, each against its variant',
        templated,
        (s) => (s.synthesizer === 'espeak' && s.params && isTemplateVoice(s.params) ? [s.params.pitchScale, s.params.formantScale] : null),
        'pitch × (of its variant’s)',
        'formants × (of its variant’s)',
        'Each speaker is one of eSpeak’s own variants moved: men down and left, women in the middle, children up and right. Test speakers start from variants no training speaker uses.',
      ),
    );
  }
  if (espeak.length > templated.length) {
    charts.push(
      scatter(
        'eSpeak NG speakers: pitch and vocal tract',
        espeak,
        (s) => (s.synthesizer === 'espeak' && s.params && !isTemplateVoice(s.params) ? [s.params.pitch[0], s.params.tractScale] : null),
        'base pitch (Hz)',
        'vocal tract scale (formants ×)',
        `Men low and left, women in the middle, children high and right. No training speaker falls in ${TEST_REGION.pitch[0]}–${TEST_REGION.pitch[1]} Hz × ${TEST_REGION.tractScale[0]}–${TEST_REGION.tractScale[1]}: that corner of the female range is the test speakers' alone.`,
      ),
    );
  }
  if (flite.length > 0) {
    charts.push(
      scatter(
        'flite speakers: pitch and pace',
        flite,
        (s) => (s.synthesizer === 'flite' && s.params ? [s.params.f0Mean, s.params.durationStretch] : null),
        'pitch mean (Hz)',
        'durations ×',
        "flite's voices can change their pitch and pace only; its test speakers speak with a base voice no training speaker has.",
      ),
    );
  }

  const rows = speakers
    .map((s) => {
      const clip = source.clips.get(s.id);
      const audio = clip
        ? `<audio controls preload="none" aria-label="${escapeHtml(s.id)} says ${escapeHtml(clip.words.join(' '))}" src="data:audio/wav;base64,${clip.wavBase64}"></audio><div class="note">${escapeHtml(clip.words.join(' '))} <span class="mono">(${escapeHtml(clip.utterance)})</span></div>`
        : '<span class="note">no utterance</span>';
      return `<tr data-speaker="${escapeHtml(s.id)}" data-split="${s.split}"><td class="id mono">${escapeHtml(s.id)}</td><td>${s.split}</td><td>${escapeHtml(s.synthesizer)} <span class="mono">${escapeHtml(s.base)}</span></td><td>${s.group}</td><td>${parameters(s)}</td><td>${audio}</td></tr>`;
    })
    .join('');
  const table = `<table class="data"><thead><tr><th>speaker</th><th>split</th><th>voice</th><th>group</th><th>parameters</th><th>listen</th></tr></thead><tbody>${rows}</tbody></table>`;

  const facts = definitionTable([
    ['training base voices', escapeHtml(bases('train').join(', '))],
    ['test base voices', escapeHtml(bases('test').join(', '))],
  ]);
  const body = [
    cards,
    section('map', 'Where the speakers lie', 'Each dot is one speaker: its drawn parameters, training and test speakers apart.', `<div class="grid">${charts.join('')}</div>`),
    section('held-out', 'Held out for test', 'Test speakers speak with base voices (accents) that no training speaker uses.', facts),
    section('listen', 'Listen', `A second or so of each speaker, at 11 kHz. ${plural(source.clips.size, 'clip')}.`, table),
  ].join('\n');
  return htmlPage({
    title: `The voices of ${source.corpus}`,
    subtitle: `${plural(speakers.length, 'speaker')} from ${[...new Set(speakers.map((s) => s.synthesizer))].join(' and ')}`,
    contents: [
      ['map', 'Map'],
      ['held-out', 'Held out'],
      ['listen', 'Listen'],
    ],
    body,
    media: true,
  });
}
