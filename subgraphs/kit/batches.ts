// Splitting work into batches, and adding up what each batch did.
import type { UpsertCounts } from './upsert';

export function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

export function emptyCounts(): UpsertCounts {
  return { inserted: 0, updated: 0, unchanged: 0 };
}

export function add(total: UpsertCounts, batch: UpsertCounts): UpsertCounts {
  total.inserted += batch.inserted;
  total.updated += batch.updated;
  total.unchanged += batch.unchanged;
  return total;
}

export function describeCounts(counts: UpsertCounts): string {
  return `${counts.inserted} new, ${counts.updated} updated, ${counts.unchanged} unchanged`;
}
