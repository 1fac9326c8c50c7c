import type { InboundEnvelope, TransportStartOptions } from '@herald/core';
import { backoff, delay } from './backoff.js';
import type { RelayConnection } from './connection.js';

export interface DeliveriesInit {
  readonly channel: string;
  readonly maxPending: number;
  readonly deliver: TransportStartOptions['deliver'];
  readonly deliverIn: (bytes: Uint8Array) => InboundEnvelope;
  readonly onMoved: (at: number) => void;
  readonly onError: (error: Error) => void;
  /** Aborted on stop: no new retries start; deliveries under way finish. */
  readonly signal: AbortSignal;
}

/**
 * Pushed envelopes on their way into the node. Each is acknowledged to the relay
 * only after `deliver` resolved (the node stored it); a refusal is offered again
 * after a growing delay while the connection that pushed it lives. After a
 * reconnect the relay pushes every unacknowledged envelope again, and the node
 * recognises any copy it already stored.
 */
export function deliveries(init: DeliveriesInit): { push(deliveryId: number, bytes: Uint8Array, connection: RelayConnection): void; drained(): Promise<void> } {
  let pending = 0;
  let idle: (() => void) | undefined;

  async function handle(deliveryId: number, bytes: Uint8Array, connection: RelayConnection): Promise<void> {
    const delays = backoff(250, 30_000);
    for (;;) {
      // Stopped: the node gets nothing more from this transport; unacknowledged, the envelope waits at the source for the next run.
      if (init.signal.aborted) return;
      try {
        await init.deliver(init.deliverIn(bytes));
        init.onMoved(Date.now());
        connection.ack(deliveryId);
        return;
      } catch {
        // "Keep it and offer it again later": the relay still holds it, unacknowledged.
      }
      if (init.signal.aborted || !connection.isOpen) return;
      await delay(delays.next(), init.signal);
      if (init.signal.aborted || !connection.isOpen) return;
    }
  }

  return {
    push(deliveryId, bytes, connection) {
      if (pending >= init.maxPending) {
        // The relay's window is far below this bound: a relay pushing past it is broken or hostile.
        init.onError(new Error(`${init.channel}: the relay pushed more than ${init.maxPending} unacknowledged envelopes (maxPendingDeliveries); reconnecting`));
        connection.close();
        return;
      }
      pending++;
      void handle(deliveryId, bytes, connection).finally(() => {
        pending--;
        if (pending === 0) idle?.();
      });
    },
    drained() {
      if (pending === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const previous = idle;
        idle = () => {
          previous?.();
          idle = undefined;
          resolve();
        };
      });
    },
  };
}
