/**
 * Encoded line fragments remembered by the text they encode: a request's URL, user agent and
 * client address come back request after request, and one copy of a remembered fragment costs a
 * fraction of escaping and encoding the text again. Bounded, so that clients minting new values
 * can't grow it: texts longer than `maxKeyLength` are never kept, and the memo is emptied when it
 * holds `maxEntries`.
 *
 * A lookup and a separate `keep` rather than one call taking a function that makes the fragment:
 * such a function, closing over the request's fields, was a new closure on every request line.
 */
export class FragmentMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyLength: number,
  ) {}

  find(key: string): T | undefined {
    return this.entries.get(key);
  }

  /** Remembers `value` for `key` when the key is short enough, and returns it. */
  keep(key: string, value: T): T {
    if (key.length <= this.maxKeyLength) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }
}
