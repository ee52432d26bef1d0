/** The parts of @echogarden/espeak-ng-emscripten (eSpeak NG compiled by Emscripten, untyped) that lstmp uses. */
declare module '@echogarden/espeak-ng-emscripten' {
  /** One eSpeak callback event; `id` is the phoneme (IPA) or mark name, or the word/sentence number. */
  export interface RawEspeakEvent {
    type: 'list_terminated' | 'word' | 'sentence' | 'mark' | 'play' | 'end' | 'msg_terminated' | 'phoneme' | 'samplerate';
    text_position: number;
    word_length: number;
    /** Milliseconds from the start of the synthesis. */
    audio_position: number;
    id: string | number | undefined;
  }

  export interface EspeakWorker {
    /** 0 on success; a voice file name ("gmw/en-US") or language name, optionally "+variant". */
    set_voice(name: string): number;
    set_rate(wordsPerMinute: number): void;
    set_pitch(pitch: number): void;
    set_range(range: number): void;
    get_samplerate(): number;
    list_voices(): { name: string; identifier: string; languages: { priority: number; name: string }[] }[];
    /** Synthesises SSML text; the callback gets int16 audio chunks and their events and returns true to stop. */
    synthesize(text: string, callback: (audio: Int16Array | null, events: RawEspeakEvent[]) => boolean): void;
  }

  export interface EspeakModule {
    eSpeakNGWorker: new () => EspeakWorker;
    HEAPU8: Uint8Array;
    FS: { readdir(path: string): string[]; readFile(path: string): Uint8Array; writeFile(path: string, data: string): void };
  }

  export default function initialize(options?: { print?: (text: string) => void; printErr?: (text: string) => void }): Promise<EspeakModule>;
}
