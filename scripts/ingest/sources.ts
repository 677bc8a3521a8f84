// Where ingested records come from: JSON Lines files, read as a stream, line by line.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface SourceLine {
  file: string;
  line: number;
  /** The parsed record, or undefined when the line is not JSON. */
  record?: unknown;
  /** Why the line could not be read. */
  error?: string;
}

/** Records already in memory (demo data, converted files), as numbered source lines. */
export async function* fromRecords(records: Iterable<unknown>, file: string): AsyncGenerator<SourceLine> {
  let line = 0;
  for (const record of records) yield { file, line: ++line, record };
}

export async function* readJsonLines(file: string): AsyncGenerator<SourceLine> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    try {
      yield { file, line, record: JSON.parse(text) };
    } catch {
      yield { file, line, error: 'is not valid JSON' };
    }
  }
}

/** Counts the records of a file quickly (non-empty lines), so progress can show a total. */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  let inLine = false;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) {
      if (byte === 10) {
        if (inLine) count++;
        inLine = false;
      } else if (byte !== 13 && byte !== 32) inLine = true;
    }
  }
  return inLine ? count + 1 : count;
}
