import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeCommand, NodeEventLine, OutboxSummary } from './child/protocol.js';
import { SetupError } from './errors.js';

/** The node process entry, built (tests run the packages from source, but a child process needs plain JavaScript). */
const NODE_MAIN = fileURLToPath(new URL('../dist/child/node-main.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;
/** A longer stdout line is a bug or an attack on the orchestrator; it is cut off, not buffered. */
const MAX_LINE = 8 * 1024 * 1024;

export interface NodeRun {
  readonly index: number;
  killed: boolean;
}

export type NodeListener = (node: string, run: number, event: NodeEventLine) => void;

/**
 * One drill node across its process runs: started, SIGKILLed and started again
 * on the same store. Every event line is passed on with its run number, which
 * is what the exactly-once judgement works from.
 */
export class DrillNode {
  readonly runs: NodeRun[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';
  private readonly waiters = new Set<(event: NodeEventLine) => void>();

  constructor(
    readonly name: string,
    private readonly configPath: string,
    private readonly listener: NodeListener,
  ) {}

  get up(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a process run; one failed start (a machine under load, a store still being released) is retried once. */
  async start(): Promise<void> {
    if (await this.startOnce()) return;
    this.child?.kill('SIGKILL');
    await this.exited;
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (!(await this.startOnce())) throw new SetupError(`node ${this.name} did not start: ${this.stderr.trim().slice(-2000) || 'no message'}`, 'DRILL_START_FAILED');
  }

  private async startOnce(): Promise<boolean> {
    const run: NodeRun = { index: this.runs.length, killed: false };
    this.runs.push(run);
    const child = spawn(process.execPath, [NODE_MAIN, this.configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdin!.on('error', () => undefined);
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-8192)));
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.length > MAX_LINE) buffer = '';
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        let event: NodeEventLine;
        try {
          event = JSON.parse(line) as NodeEventLine;
        } catch {
          continue;
        }
        this.listener(this.name, run.index, event);
        for (const waiter of [...this.waiters]) waiter(event);
      }
    });
    const ready = await this.next((event) => event.ev === 'ready', START_TIMEOUT_MS, child);
    // A run that never became ready counts as killed: whatever it might have handed out may come again.
    if (!ready) run.killed = true;
    return ready !== undefined;
  }

  /** Waits for the first event matching `predicate`; undefined on timeout or when the process exits. */
  private next(predicate: (event: NodeEventLine) => boolean, timeoutMs: number, child = this.child): Promise<NodeEventLine | undefined> {
    return new Promise((resolve) => {
      const finish = (event: NodeEventLine | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        child?.off('close', onExit);
        resolve(event);
      };
      const waiter = (event: NodeEventLine): void => void (predicate(event) && finish(event));
      // 'close' rather than 'exit': by then stderr is fully read, so a failed start can say why.
      const onExit = (): void => finish(undefined);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.waiters.add(waiter);
      child?.once('close', onExit);
    });
  }

  /** Writes one command; false when the node is down (the load counts it as not sent). */
  command(command: NodeCommand): boolean {
    if (!this.up) return false;
    this.child!.stdin!.write(`${JSON.stringify(command)}\n`);
    return true;
  }

  async outbox(): Promise<OutboxSummary[] | undefined> {
    if (!this.command({ cmd: 'outbox' })) return undefined;
    const reply = await this.next((event) => event.ev === 'outbox', 15_000);
    return reply?.ev === 'outbox' ? [...reply.records] : undefined;
  }

  async take(spool: string): Promise<{ delivered: number; failed: number } | undefined> {
    if (!this.command({ cmd: 'take', spool })) return undefined;
    const reply = await this.next((event) => event.ev === 'taken', 30_000);
    return reply?.ev === 'taken' ? { delivered: reply.delivered, failed: reply.failed } : undefined;
  }

  async kill(): Promise<void> {
    if (!this.up) return;
    this.runs.at(-1)!.killed = true;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** Closes stdin (the node stops cleanly), SIGKILL after a grace period. */
  async stop(): Promise<void> {
    if (!this.up) return;
    const child = this.child!;
    child.stdin!.end();
    const grace = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(grace);
  }
}
