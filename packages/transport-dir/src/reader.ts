import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { boundedMap, refusalBackoff, type InboundEnvelope } from '@herald/core';
import { errnoCode, mapFsError } from './errors.js';
import type { HealthTracker } from './health.js';
import type { ResolvedDirInit } from './init.js';
import { parseSpoolFileName } from './names.js';
import { probeFolder } from './probe.js';
import { readSpoolFile } from './read.js';
import { folderScanner } from './scan.js';

/** Per-file memories (backoff, files to leave alone) never hold more names than this. */
const MEMORY_LIMIT = 10_000;
/** Names waiting for a delivery slot, per slot. */
const QUEUE_PER_SLOT = 16;

export interface SpoolReader {
  /** Polls now (resolving when this first poll is done, deliveries still running), then every `pollIntervalMs`. */
  start(): Promise<void>;
  /** No new pickups; resolves once the current poll and every in-flight delivery (with its removal) finished. */
  stop(): Promise<void>;
  /**
   * Collects `tags` from the next poll on. A dropped tag is still collected until drained: one listing pass
   * begun after the update (a pass under way may have listed the folder before a file was written) has ended,
   * and the pickups it found are done. Resolves then, or at stop.
   */
  update(tags: readonly string[]): Promise<void>;
}

/** Tags dropped by an update, collected until a listing pass begun after the update, and its pickups, are done. */
interface Drain {
  readonly tags: ReadonlySet<string>;
  /** Passes begun before the update: a later one must end. */
  readonly passesBefore: number;
  readonly done: () => void;
}

export function spoolReader(init: ResolvedDirInit, health: HealthTracker, initialTags: readonly string[], deliver: (envelope: InboundEnvelope) => Promise<void>): SpoolReader {
  let tags = new Set(initialTags);
  const drains: Drain[] = [];
  const draining = (tag: string): boolean => drains.some((drain) => drain.tags.has(tag));
  const scanner = folderScanner(init.path);
  const queue = new Set<string>();
  const maxQueued = init.maxDeliveriesInFlight * QUEUE_PER_SLOT;
  const inFlight = new Map<string, Promise<void>>();
  const retry = refusalBackoff(init.pollIntervalMs, init.maxRetryDelayMs, MEMORY_LIMIT);
  // Files not to pick up again in this process: oversize, not regular, or delivered but not removable.
  const leaveAlone = boundedMap<true>(MEMORY_LIMIT);
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let lastPollError: string | undefined;

  const report = (message: string, cause?: unknown): void => health.error(new Error(`${init.name}: ${message}`, cause === undefined ? undefined : { cause }));

  function visit(name: string): boolean {
    const parsed = parseSpoolFileName(name);
    if (parsed && (tags.has(parsed.routingTag) || draining(parsed.routingTag)) && !queue.has(name) && !inFlight.has(name) && leaveAlone.get(name) === undefined && !retry.blocked(name, Date.now())) {
      queue.add(name);
    }
    return queue.size < maxQueued;
  }

  function pump(): void {
    for (const name of queue) {
      if (!running || inFlight.size >= init.maxDeliveriesInFlight) return;
      queue.delete(name);
      const job = pickUp(name)
        .catch((error: unknown) => report(`picking up ${name} failed`, error))
        .finally(() => {
          inFlight.delete(name);
          settleDrains();
          pump();
        });
      inFlight.set(name, job);
    }
  }

  /** Ends the drains whose pass is over and whose files are no longer waiting or being delivered. */
  function settleDrains(): void {
    const pending = [...queue, ...inFlight.keys()].map((name) => parseSpoolFileName(name)?.routingTag);
    for (const drain of [...drains]) {
      if (running && (scanner.lastPassEnded <= drain.passesBefore || pending.some((tag) => tag !== undefined && drain.tags.has(tag)))) continue;
      drains.splice(drains.indexOf(drain), 1);
      drain.done();
    }
  }

  async function pickUp(name: string): Promise<void> {
    const path = join(init.path, name);
    const outcome = await readSpoolFile(path, init.maxEnvelopeBytes);
    if (outcome.kind === 'gone') return retry.cleared(name);
    if (outcome.kind === 'changing') return;
    if (outcome.kind === 'not-a-file' || outcome.kind === 'too-large') {
      leaveAlone.set(name, true);
      // Skipped, never deleted: it may be someone's only copy, and an operator can move it to a larger channel.
      return report(outcome.kind === 'too-large' ? `skipped ${name}: ${outcome.size} bytes exceeds maxEnvelopeBytes (${init.maxEnvelopeBytes})` : `skipped ${name}: not a regular file`);
    }
    if (!running) return; // Stopped while reading: the file stays for the next start.
    const receivedAt = Date.now();
    try {
      await deliver({ bytes: outcome.bytes, channel: init.name, receivedAt });
    } catch (error) {
      // "Keep it and offer it again later": the file stays; the backoff spares a failing store a hot loop.
      const delay = retry.failed(name, Date.now());
      return report(`the node did not take ${name}; offering it again in ${delay} ms or later`, error);
    }
    retry.cleared(name);
    health.moved(receivedAt, false);
    // Only now, with the envelope stored durably by the node, may the spool copy go.
    try {
      await unlink(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      leaveAlone.set(name, true);
      const mapped = mapFsError(error, init.name, `removing delivered ${name}`);
      if (mapped.health) health.failed(mapped.health, mapped.error.message);
      health.error(mapped.error);
    }
  }

  async function poll(): Promise<void> {
    const problem = await probeFolder(init.path);
    health.probed(problem);
    if (problem !== undefined || (tags.size === 0 && drains.length === 0) || !running) return;
    try {
      if (queue.size < maxQueued) await scanner.scan(init.maxEntriesPerPoll, visit);
      lastPollError = undefined;
    } catch (error) {
      const mapped = mapFsError(error, init.name, 'listing the folder');
      if (mapped.health) health.failed(mapped.health, mapped.error.message);
      // A lasting failure is reported once, not on every poll.
      if (mapped.error.message !== lastPollError) health.error(mapped.error);
      lastPollError = mapped.error.message;
    }
    pump();
  }

  function runPoll(): Promise<void> {
    const current = poll()
      .catch((error: unknown) => report('poll failed', error))
      .finally(() => {
        polling = undefined;
        settleDrains();
        schedule();
      });
    polling = current;
    return current;
  }

  function schedule(): void {
    // Not unref'd: a process that only listens on this folder must stay alive while started.
    if (running) timer = setTimeout(runPoll, init.pollIntervalMs);
  }

  return {
    start() {
      running = true;
      return runPoll();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      queue.clear();
      await polling;
      await Promise.allSettled(inFlight.values());
      await scanner.close();
      settleDrains();
    },
    update(next) {
      const before = tags;
      tags = new Set(next);
      const dropped = new Set([...before].filter((tag) => !tags.has(tag)));
      if (dropped.size === 0 || !running) return Promise.resolve();
      return new Promise<void>((done) => drains.push({ tags: dropped, passesBefore: scanner.passesStarted, done }));
    },
  };
}
