/** The last inputs sent to a server, to print when it dies: one of them is the likely culprit. */
export class RecentInputs {
  private readonly items: Uint8Array[] = [];

  constructor(private readonly keep = 32) {}

  add(bytes: Uint8Array): void {
    this.items.push(bytes.length > 4096 ? bytes.subarray(0, 4096) : bytes);
    if (this.items.length > this.keep) this.items.shift();
  }

  list(): readonly Uint8Array[] {
    return [...this.items];
  }
}
