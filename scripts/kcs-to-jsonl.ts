// Converts KCS CSV files (data/kcs-synthetic) into declarations records as JSON Lines, one record
// per line, each declaration followed by its control result. The mapping is in demo/kcs.ts.
//
//   tsx scripts/kcs-to-jsonl.ts <csv...> [--out <file>] [--without-labels]
//
// Without --out the lines go to stdout, so the output can be piped into the ingest command.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { readKcsCsv, kcsRowToRecords } from '../demo/kcs';

const USAGE = 'usage: tsx scripts/kcs-to-jsonl.ts <csv...> [--out <file>] [--without-labels]';

export interface KcsToJsonlArguments {
  files: string[];
  out?: string;
  withLabels: boolean;
}

export function parseArguments(argv: readonly string[]): KcsToJsonlArguments {
  const files: string[] = [];
  let out: string | undefined;
  let withLabels = true;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    if (argument === '--without-labels') withLabels = false;
    else if (argument === '--out') {
      out = argv[++i];
      if (out === undefined || out.startsWith('--')) throw new UsageError('--out needs a file name');
    } else if (argument === '--help' || argument === '-h') throw new UsageError('');
    else if (argument.startsWith('--')) throw new UsageError(`unknown option ${argument}`);
    else files.push(argument);
  }
  if (files.length === 0) throw new UsageError('no CSV file given');
  return { files, withLabels, ...(out === undefined ? {} : { out }) };
}

class UsageError extends Error {}

/** Writes the records of every file; returns the number of declarations and control results. */
export async function writeKcsJsonl(args: KcsToJsonlArguments, output: Writable): Promise<{ declarations: number; controls: number }> {
  let declarations = 0;
  let controls = 0;
  for (const file of args.files) {
    const rows = readKcsCsv(file);
    // Batches keep memory flat and let a slow reader (a pipe) apply back-pressure.
    let batch = '';
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!row) continue;
      const { declaration, control } = kcsRowToRecords(row, { withLabels: args.withLabels });
      batch += `${JSON.stringify(declaration)}\n`;
      declarations++;
      if (control) {
        batch += `${JSON.stringify(control)}\n`;
        controls++;
      }
      if (i % 1000 === 999 || i === rows.length - 1) {
        if (!output.write(batch)) await once(output, 'drain');
        batch = '';
      }
    }
  }
  return { declarations, controls };
}

async function main(): Promise<void> {
  let args: KcsToJsonlArguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(error.message);
    console.error(USAGE);
    process.exit(error.message ? 2 : 0);
  }
  const output = args.out ? createWriteStream(args.out) : process.stdout;
  // A closed pipe (| head) is a normal end, not a failure.
  output.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    console.error(error.message);
    process.exit(1);
  });
  const started = Date.now();
  const counts = await writeKcsJsonl(args, output);
  if (args.out) {
    output.end();
    await once(output, 'finish');
  }
  console.error(
    `${counts.declarations} declarations, ${counts.controls} control results` +
      `${args.out ? ` written to ${args.out}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
