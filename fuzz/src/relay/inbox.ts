/** What a connection received and not yet taken, with waits for the first item matching a predicate; ends when the connection does. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();
  private endedWith: T | undefined;

  get ended(): boolean {
    return this.endedWith !== undefined;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** The connection is over; waits still unanswered get `how`. */
  end(how: T): void {
    this.endedWith ??= how;
    this.wake();
  }

  /** Everything received and not yet taken, removed. */
  drain(): T[] {
    return this.items.splice(0);
  }

  /** The first item matching `predicate` (taken out), the end, or `timedOut` after `timeoutMs`. */
  waitFor(predicate: (item: T) => boolean, timeoutMs: number, timedOut: T): Promise<T> {
    return new Promise((resolve) => {
      const check = (): void => {
        const index = this.items.findIndex(predicate);
        if (index >= 0) finish(this.items.splice(index, 1)[0]!);
        else if (this.endedWith !== undefined) finish(this.endedWith);
      };
      const timer = setTimeout(() => finish(timedOut), timeoutMs);
      const finish = (result: T): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
