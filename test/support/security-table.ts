// The tally the security suite prints: what was tried, whether it was refused with the right
// code, whether anything leaked, whether anything was written.
export interface Attempt {
  /** What a hostile or mistaken caller tried. */
  request: string;
  /** The code the platform must answer with. */
  expected: string;
  /** Where several answers are right ("refused or absent"): each of them. */
  accepted?: readonly string[];
  /** What it answered with. */
  answered: string;
  /** Data the caller must not have got, if any came back. */
  leaked: boolean;
  /** Writes it must not have made, if any were made. */
  wrote: boolean;
}

export function securityTable(title: string) {
  const attempts: Attempt[] = [];
  return {
    attempts,
    record(attempt: Attempt): Attempt {
      attempts.push(attempt);
      return attempt;
    },
    print(): void {
      const refused = attempts.filter((a) => (a.accepted ?? [a.expected]).includes(a.answered)).length;
      const leaks = attempts.filter((a) => a.leaked).length;
      const writes = attempts.filter((a) => a.wrote).length;
      const width = Math.max(...attempts.map((a) => a.request.length), 20);
      const lines = attempts.map(
        (a) => `  ${a.request.padEnd(width)}  ${a.expected.padEnd(16)} ${a.answered.padEnd(16)} ${a.leaked ? 'LEAK' : '-'}  ${a.wrote ? 'WRITE' : '-'}`,
      );
      console.log(
        [
          `\n${title}`,
          `  ${'request'.padEnd(width)}  ${'expected'.padEnd(16)} ${'answered'.padEnd(16)} leak  write`,
          ...lines,
          `  requests tried: ${attempts.length} · refused with the right code: ${refused} · data leaked: ${leaks} · unauthorised writes: ${writes}\n`,
        ].join('\n'),
      );
    },
  };
}
