// Every multi-statement write goes through the kit's bounded helpers (subgraphs/kit/bulk.ts):
// one unbounded bulk write once deadlocked every first start.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunks } from '../../subgraphs/kit/bulk';

const ROOT = new URL('../..', import.meta.url).pathname;
const PRODUCTION_CODE = ['subgraphs', 'scripts', 'gateway', 'db'];
const THE_KIT_MODULE = 'subgraphs/kit/bulk.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('dist') ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('multi-statement writes', () => {
  it('are sent only by the kit module that bounds them', () => {
    const offenders = PRODUCTION_CODE.flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .map((path) => relative(ROOT, path))
      .filter((path) => path !== THE_KIT_MODULE)
      .flatMap((path) =>
        readFileSync(join(ROOT, path), 'utf8')
          .split('\n')
          .flatMap((line, index) => (/\.(bulkWrite|insertMany|bulkSave)\(/.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });

  it('are cut into pieces of at most the given size, in order, none empty', () => {
    const items = Array.from({ length: 120 }, (_, index) => index);
    const pieces = [...chunks(items, 50)];
    expect(pieces.map((piece) => piece.length)).toEqual([50, 50, 20]);
    expect(pieces.flat()).toEqual(items);
    expect([...chunks([], 50)]).toEqual([]);
  });
});
