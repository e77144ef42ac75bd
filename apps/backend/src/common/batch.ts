/**
 * Items gathered one by one and handed over together: `delayMs` after the first of a batch, or at
 * once on `flush()`. Per-request work that can wait a moment (the request log lines) is
 * several times cheaper done in a batch than between the rest of each request's work.
 */
export class Batch<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly handle: (items: T[]) => void,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    // unref: a batch waiting must not keep a stopping process alive; owners flush on the way out.
    this.timer ??= setTimeout(this.flush, this.delayMs).unref();
  }

  readonly flush = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.handle(items);
  };
}
