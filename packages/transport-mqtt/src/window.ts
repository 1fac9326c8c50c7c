/**
 * The broker's receive window for our publishes. An MQTT 5 broker says in
 * CONNACK how many QoS 1 publishes it takes unacknowledged (Receive Maximum;
 * Mosquitto: 20) and may drop a client that sends more; MQTT.js does not hold
 * back on its own, so this does: at most `limit` publishes await a PUBACK, the
 * rest wait their turn here. The transport's maxPendingSends bounds the waiters.
 */
export interface Ticket {
  /** Set while the publish waits for a slot; the send calls it when it gives up (timeout, abort). */
  cancel?: () => void;
}

export interface SendWindow {
  /** Resolves with the slot's release once a slot is free; rejects with `closedError()` when the window closes first. */
  acquire(ticket: Ticket): Promise<() => void>;
  /** Rejects every waiter: the connection is gone. */
  close(): void;
  readonly active: number;
  readonly waiting: number;
}

export function sendWindow(limit: number, closedError: () => Error): SendWindow {
  let active = 0;
  let closed = false;
  // A Set keeps insertion order and deletes a cancelled waiter in O(1).
  const waiters = new Set<{ grant: () => void; fail: (error: Error) => void }>();

  const release = (): void => {
    active--;
    const next = waiters.values().next();
    if (next.done || closed) return;
    waiters.delete(next.value);
    active++;
    next.value.grant();
  };
  const slot = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };

  return {
    acquire(ticket) {
      if (closed) return Promise.reject(closedError());
      if (active < limit) {
        active++;
        return Promise.resolve(slot());
      }
      return new Promise((resolve, reject) => {
        const waiter = { grant: () => resolve(slot()), fail: reject };
        waiters.add(waiter);
        ticket.cancel = () => void waiters.delete(waiter);
      }).finally(() => delete ticket.cancel) as Promise<() => void>;
    },
    close() {
      closed = true;
      for (const waiter of waiters) waiter.fail(closedError());
      waiters.clear();
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiters.size;
    },
  };
}
