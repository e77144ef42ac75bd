/**
 * Encoded line fragments remembered by the text they encode: a request's URL, user agent and
 * client address come back request after request, and one copy of a remembered fragment costs a
 * fraction of escaping and encoding the text again. Bounded, so that clients minting new values
 * can't grow it: texts longer than `maxKeyLength` are never kept, and the memo is emptied when it
 * holds `maxEntries`.
 */
export class FragmentMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyLength: number,
  ) {}

  get(key: string, make: (key: string) => T): T {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make(key);
      if (key.length <= this.maxKeyLength) {
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(key, value);
      }
    }
    return value;
  }
}
