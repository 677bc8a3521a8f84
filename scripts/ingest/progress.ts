// A progress bar with throughput on a terminal; a line every few seconds otherwise (CI logs).
export interface Progress {
  update(done: number): void;
  finish(done: number): void;
  /** A line of its own (a batch being retried), above the bar. */
  note?(line: string): void;
}

export function createProgress(label: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const interactive = Boolean(stream.isTTY);
  let lastDrawn = 0;
  let lastShown = -1;

  function line(done: number): string {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = done / seconds;
    const parts = [`${label}`];
    if (total) {
      const share = Math.min(done / total, 1);
      const width = 24;
      const filled = Math.round(share * width);
      parts.push(`[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`);
      parts.push(`${done.toLocaleString('en')}/${total.toLocaleString('en')}`);
      if (rate > 0 && done < total) parts.push(`ETA ${Math.ceil((total - done) / rate)} s`);
    } else {
      parts.push(done.toLocaleString('en'));
    }
    parts.push(`${Math.round(rate).toLocaleString('en')} records/s`);
    return parts.join(' · ');
  }

  return {
    update(done) {
      const now = Date.now();
      if (interactive && now - lastDrawn >= 100) {
        stream.write(`\r${line(done)}\x1b[K`);
        lastDrawn = now;
      } else if (!interactive && now - lastDrawn >= 5_000) {
        stream.write(`${line(done)}\n`);
        lastDrawn = now;
        lastShown = done;
      }
    },
    note(text) {
      stream.write(`${interactive ? '\r' : ''}${text}${interactive ? '\x1b[K' : ''}\n`);
      // The bar comes back at the next update.
      lastDrawn = 0;
    },
    finish(done) {
      if (!interactive && lastShown === done) return;
      stream.write(`${interactive ? '\r' : ''}${line(done)}${interactive ? '\x1b[K' : ''}\n`);
    },
  };
}
