import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventName, loadEspeak, type Espeak, type SpeechSettings } from '../../../src/streams/corpora/espeak.js';

let espeak: Espeak;
const usEnglish: SpeechSettings = { voice: 'gmw/en-US', rate: 175, pitch: 50, range: 50 };

beforeAll(async () => {
  espeak = await loadEspeak();
});

describe('loadEspeak', () => {
  it('offers the eight English voices and the voice variants, at 22050 Hz', () => {
    expect(espeak.sampleRate).toBe(22050);
    const english = espeak.voices.filter((v) => v.languages.some((l) => l === 'en' || l.startsWith('en-'))).map((v) => v.identifier);
    expect(english.sort()).toEqual(['gmw/en', 'gmw/en-029', 'gmw/en-GB-scotland', 'gmw/en-GB-x-gbclan', 'gmw/en-GB-x-gbcwmd', 'gmw/en-GB-x-rp', 'gmw/en-US', 'gmw/en-US-nyc']);
    for (const variant of ['m1', 'm7', 'f1', 'f4', 'klatt', 'whisper']) expect(espeak.variants).toContain(variant);
    expect(espeak.variants).toEqual([...espeak.variants].sort());
  });

  it('speaks with a phoneme event where each phoneme starts and the marks in order', () => {
    const speech = espeak.speak('<mark name="w0"/>seven <mark name="w1"/>oh <mark name="end"/>', usEnglish);
    expect(speech.samples.length / speech.sampleRate).toBeGreaterThan(0.4);
    const phonemes = speech.events.filter((e) => e.type === 'phoneme' && e.id !== '').map((e) => e.id);
    expect(phonemes).toEqual(['s', 'ˈɛ', 'v', 'ə', 'n', 'ˈoʊ']);
    expect(speech.events.filter((e) => e.type === 'mark').map((e) => e.id)).toEqual(['w0', 'w1', 'end']);
    const times = speech.events.map((e) => e.audioPositionMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('gives the same samples and events for the same text and settings, whatever was said before', () => {
    const settings: SpeechSettings = { voice: 'gmw/en-GB-x-rp+whisper', rate: 160, pitch: 40, range: 60 };
    const first = espeak.speak('nine four', settings);
    espeak.speak('three three eight', { voice: 'gmw/en-029+klatt3', rate: 200, pitch: 70, range: 20 });
    const again = espeak.speak('nine four', settings);
    expect(again.samples).toEqual(first.samples);
    expect(again.events).toEqual(first.events);
  });

  it('refuses a voice it does not have', () => {
    expect(() => espeak.speak('one', { ...usEnglish, voice: 'xx-nowhere' })).toThrow('eSpeak has no voice "xx-nowhere"');
  });
});

describe('eventName', () => {
  it('keeps the 8 bytes of a name that fills eSpeak\'s field, not what the bindings read past it', () => {
    // What en-US+robosoft's "four" came back as: "ˈɔːɹ" (8 bytes) and a stray \x03.
    expect(eventName('ˈɔːɹ\u0003')).toBe('ˈɔːɹ');
    expect(eventName('ˈɔːɹ')).toBe('ˈɔːɹ');
    expect(eventName('ˈaɪ')).toBe('ˈaɪ');
  });

  it('is a prefix of what was read, at most 8 bytes, whole characters, and all of a name that fits', () => {
    const bytes = (s: string) => new TextEncoder().encode(s).length;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 12 }), (read) => {
        const name = eventName(read);
        expect(read.startsWith(name)).toBe(true);
        expect(bytes(name)).toBeLessThanOrEqual(8);
        if (bytes(read) <= 8) expect(name).toBe(read);
        else expect(bytes(name)).toBeGreaterThan(8 - 4);
      }),
    );
  });
});
