import * as E from 'fp-ts/lib/Either.js';

/**
 * transcripts.tsv, the transcript list of a plain folder of recordings:
 * `<file>\t<words>` a line (the file relative to the folder; blank lines
 * skipped), each file once. Words are split on white space.
 *
 * @example parseTranscripts('a.wav\tone two\n') // Right(Map { 'a.wav' => ['one', 'two'] })
 */
export function parseTranscripts(text: string): E.Either<string, Map<string, string[]>> {
  const table = new Map<string, string[]>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const tab = lines[i].indexOf('\t');
    if (tab <= 0) return E.left(`line ${i + 1}: expected "<file><TAB><words>"`);
    const file = lines[i].slice(0, tab).trim();
    if (table.has(file)) return E.left(`line ${i + 1}: "${file}" appears twice`);
    table.set(file, lines[i].slice(tab + 1).trim().split(/\s+/).filter((word) => word !== ''));
  }
  return E.right(table);
}
