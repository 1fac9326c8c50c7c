import type { ImapFlow } from 'imapflow';
import { TransportError, type InboundEnvelope } from '@herald/core';
import type { ResolvedAccount } from './account.js';
import { collector } from './collector.js';
import type { HealthTracker } from './health.js';
import { describeImapError, imapClient } from './imap-client.js';
import { mapImapError } from './imap-errors.js';
import type { ResolvedEmailInit } from './init.js';

const FIRST_RECONNECT_DELAY_MS = 100;

export interface ImapReceiver {
  /** Connects (the first attempt finishes before this resolves) and keeps a connection until stopped. */
  start(): Promise<void>;
  /** No new scans; resolves once deliveries in flight (with their marking) finished and the connection is closed. */
  stop(): Promise<void>;
  /** Collects `tags` from a scan made now on; resolves once dropped tags are drained (collector.ts), at once while disconnected. */
  update(tags: readonly string[]): Promise<void>;
}

/**
 * One IMAP connection with the mailbox selected, kept alive: IDLE pushes new
 * mail ('exists'), a timer scans every pollIntervalMs regardless, and a lost
 * connection is re-established with exponential backoff. Scans never overlap;
 * a push during a scan schedules one more.
 */
export function imapReceiver(init: ResolvedEmailInit, account: ResolvedAccount, health: HealthTracker, tags: readonly string[], deliver: (envelope: InboundEnvelope) => Promise<void>): ImapReceiver {
  let running = false;
  let client: ImapFlow | undefined;
  let uidValidity = '';
  let reconnectTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let reconnectDelay = FIRST_RECONNECT_DELAY_MS;
  let scanning: Promise<void> | undefined;
  let again = false;
  // A lasting failure (a server down for an hour, a wrong password) is reported once, not on every reconnect.
  let reported: string | undefined;
  const work = collector(init, health, tags, deliver, () => running);

  function lost(from: ImapFlow, failure: unknown, problem = describeImapError(failure)): void {
    if (client !== from) return;
    client = undefined;
    from.close();
    const error = mapImapError(failure, init.name, 'IMAP');
    health.set('imap', problem);
    if (error.message !== reported) {
      reported = error.message;
      health.error(error);
    }
    if (running && !reconnectTimer) {
      reconnectTimer = setTimeout(() => {
        reconnectTimer = undefined;
        void connect();
      }, reconnectDelay);
      reconnectDelay = Math.min(init.maxReconnectDelayMs, reconnectDelay * 2);
    }
  }

  async function connect(): Promise<void> {
    if (!running) return;
    const fresh = imapClient(account, init);
    client = fresh;
    fresh.on('error', (error: unknown) => lost(fresh, error));
    fresh.on('close', () => lost(fresh, new TransportError('CHANNEL_UNAVAILABLE', init.name, 'IMAP: the connection closed'), 'the connection closed'));
    fresh.on('exists', () => trigger());
    try {
      await fresh.connect();
      if (init.processed.action === 'move') await fresh.mailboxCreate(init.processed.mailbox).catch(() => undefined);
      const mailbox = await fresh.mailboxOpen(init.mailbox);
      uidValidity = String(mailbox.uidValidity);
    } catch (error) {
      lost(fresh, error);
      return;
    }
    if (!running || client !== fresh) return void fresh.close();
    reconnectDelay = FIRST_RECONNECT_DELAY_MS;
    reported = undefined;
    health.set('imap', undefined);
    trigger();
  }

  function trigger(): void {
    if (!running) return;
    if (scanning) {
      again = true;
      return;
    }
    const current = client;
    if (!current || !current.usable) return;
    clearTimeout(pollTimer);
    // A scan stuck on a connection that died without closing (a download that never ends) would block every
    // later scan: past the watchdog the connection is dropped, which fails its pending commands, and a new one made.
    const watchdog = setTimeout(() => lost(current, new TransportError('CHANNEL_TIMEOUT', init.name, 'IMAP: a mailbox scan stalled'), 'a mailbox scan stalled'), 4 * init.timeoutMs + init.pollIntervalMs);
    scanning = work
      .scan(current, uidValidity)
      .catch((error: unknown) => {
        if (running && client === current) health.error(mapImapError(error, init.name, 'scanning the mailbox failed'));
      })
      .finally(() => {
        clearTimeout(watchdog);
        scanning = undefined;
        if (!running) return;
        if (again) {
          again = false;
          return trigger();
        }
        pollTimer = setTimeout(trigger, init.pollIntervalMs);
      });
  }

  return {
    async start() {
      running = true;
      health.set('imap', 'connecting');
      await connect();
    },
    update(next) {
      const drained = work.update(next);
      const connected = client?.usable === true;
      // Two scans at once: the drain waits for the second (collector.ts).
      trigger();
      trigger();
      // Disconnected, the drain happens after the reconnection; waiting for it would hold up the next update.
      return connected ? drained : Promise.resolve();
    },
    async stop() {
      running = false;
      clearTimeout(reconnectTimer);
      clearTimeout(pollTimer);
      await scanning;
      await work.drain();
      const current = client;
      client = undefined;
      if (current) {
        // A polite LOGOUT, bounded: a dead server must not hold up the stop.
        const timer = setTimeout(() => current.close(), 2_000);
        await current.logout().catch(() => current.close());
        clearTimeout(timer);
      }
    },
  };
}
