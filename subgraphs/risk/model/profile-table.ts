/**
 * The learned profiles of a model, laid out for scoring. A model keeps its counts keyed by the
 * joined key ("NL123/847130"); scoring every item by building those strings and hashing them was
 * most of its cost. Here every trait value that occurs in a learned key gets a number, once per
 * item (ProfileIndex.read); each learned key gets a slot (its encoding and counts side by side),
 * found from its traits' numbers: by index for a single trait, by one numeric lookup for a
 * combination. No key string is built unless a reason needs it.
 */
import { KEY_SEPARATOR, type Counts } from './profiles';

/** A slot or a trait number meaning: one of the dimension's traits is not stated (no key). */
export const ABSENT = -2;
/** A slot or a trait number meaning: a key or value the model never counted (neutral, 0). */
export const UNSEEN = -1;

export interface ProfileSource {
  counts: Readonly<Record<string, Counts>>;
  /** Where the dimension's traits are among the index's traits, in key order. */
  positions: readonly number[];
}

export class ProfileIndex {
  readonly tables: readonly ProfileTable[];
  /** Per trait, the number of each value that occurs in a learned key. */
  readonly #numbers: Map<string, number>[];

  constructor(traits: number, sources: readonly ProfileSource[], encode: (counts: Counts) => number) {
    this.#numbers = Array.from({ length: traits }, () => new Map<string, number>());
    const split = sources.map(({ counts, positions }) =>
      Object.keys(counts).map((key) => {
        const parts = positions.length === 1 ? [key] : key.split(KEY_SEPARATOR);
        // A separator inside a value splits a key into too many parts to say which is which.
        if (parts.length !== positions.length) return null;
        parts.forEach((part, i) => {
          const numbers = this.#numbers[positions[i] as number] as Map<string, number>;
          if (!numbers.has(part)) numbers.set(part, numbers.size);
        });
        return parts;
      }),
    );
    this.tables = sources.map((source, d) => new ProfileTable(source, split[d] as (string[] | null)[], this.#numbers, encode));
  }

  /** The number of each trait's value: ABSENT for null, UNSEEN for one no learned key has. */
  read(values: readonly (string | null)[], into: Int32Array): void {
    for (let t = 0; t < values.length; t++) {
      const value = values[t] as string | null;
      into[t] = value === null ? ABSENT : ((this.#numbers[t] as Map<string, number>).get(value) ?? UNSEEN);
    }
  }
}

export class ProfileTable {
  /** Per slot, as learned. */
  readonly keys: readonly string[];
  readonly counts: readonly Counts[];
  readonly encodings: Float64Array;
  readonly #positions: Int32Array;
  /** A single trait's slots by its value's number. */
  readonly #byNumber: Int32Array | null;
  /** A combination's slots by its values' numbers in mixed radix (the traits' value counts). */
  readonly #byCombination: Map<number, number> | null;
  readonly #radix: Float64Array;
  /** Keys that could not be split, and every key when the combinations outgrow a safe integer. */
  #joined: Map<string, number> | null = null;

  constructor(
    source: ProfileSource,
    parts: readonly (readonly string[] | null)[],
    numbers: readonly Map<string, number>[],
    encode: (counts: Counts) => number,
  ) {
    const { counts, positions } = source;
    this.#positions = Int32Array.from(positions);
    this.keys = Object.keys(counts);
    this.counts = this.keys.map((key) => counts[key] as Counts);
    this.encodings = Float64Array.from(this.counts, encode);
    this.#radix = Float64Array.from(positions, (p) => (numbers[p] as Map<string, number>).size);
    const combinations = this.#radix.reduce((product, size) => product * size, 1);
    const single = positions.length === 1;
    this.#byNumber = single ? new Int32Array(this.#radix[0] as number).fill(UNSEEN) : null;
    this.#byCombination = !single && Number.isSafeInteger(combinations) ? new Map() : null;

    // Every part has a number: ProfileIndex numbered the parts of exactly these keys.
    const numberOf = (part: string, i: number) => (numbers[positions[i] as number] as Map<string, number>).get(part) as number;
    this.keys.forEach((key, slot) => {
      const keyParts = parts[slot];
      if (keyParts && this.#byNumber) {
        this.#byNumber[numberOf(keyParts[0] as string, 0)] = slot;
      } else if (keyParts && this.#byCombination) {
        this.#byCombination.set(
          keyParts.reduce((combination, part, i) => combination * (this.#radix[i] as number) + numberOf(part, i), 0),
          slot,
        );
      } else {
        (this.#joined ??= new Map()).set(key, slot);
      }
    });
  }

  /** The slot of the item's key, UNSEEN, or ABSENT; `numbers` from ProfileIndex.read, `values` its input. */
  find(numbers: Int32Array, values: readonly (string | null)[]): number {
    const positions = this.#positions;
    let combination = 0;
    let unseen = false;
    for (let i = 0; i < positions.length; i++) {
      const n = numbers[positions[i] as number] as number;
      if (n === ABSENT) return ABSENT;
      if (n === UNSEEN) unseen = true;
      else combination = combination * (this.#radix[i] as number) + n;
    }
    if (!unseen) {
      const slot = this.#byNumber ? this.#byNumber[combination] : this.#byCombination?.get(combination);
      if (slot !== undefined && slot !== UNSEEN) return slot;
    }
    return this.#joined?.get(this.join(values)) ?? UNSEEN;
  }

  /** The joined key the values make (none may be null), as the model's counts are keyed. */
  join(values: readonly (string | null)[]): string {
    let key = values[this.#positions[0] as number] as string;
    for (let i = 1; i < this.#positions.length; i++) key += KEY_SEPARATOR + (values[this.#positions[i] as number] as string);
    return key;
  }
}
