/**
 * What the embedded broker's queues may hold, and who is charged for it. Every
 * queued copy of a message counts three times: against the session that will
 * receive it, against the client that published it, and against the broker as a
 * whole. A publish is taken only if a copy fits for every session it is meant
 * for (sessions.ts `preStore`); otherwise the broker refuses it without a
 * PUBACK. So one client cannot fill the broker by publishing into sessions it
 * opened itself and left, and a PUBACK always means "stored for everyone".
 */
export interface QueueLimits {
  /** Messages queued for one session at most (the relay's mqttSessionMaxEnvelopes). */
  readonly maxPerSession: number;
  /** Payload bytes queued for one session at most (the relay's mqttSessionMaxBytes). */
  readonly maxBytesPerSession: number;
  /** Messages one publishing client has queued, over all sessions, at most (the relay's mqttClientMaxEnvelopes). */
  readonly maxPerClient: number;
  /** Payload bytes one publishing client has queued, over all sessions, at most (the relay's mqttClientMaxBytes). */
  readonly maxBytesPerClient: number;
  /** Messages queued over all sessions at most (the relay's maxStoredEnvelopes). */
  readonly maxMessages: number;
  /** Payload bytes queued over all sessions at most (the relay's maxStoredBytes). */
  readonly maxBytes: number;
}

/** Which quota a refused publish would pass, and what it is, in words. */
export const QUEUE_REFUSAL_TEXTS = {
  'broker-full': 'the broker is full (maxStoredEnvelopes / maxStoredBytes)',
  'client-quota': 'the publishing client has queued its quota (mqttClientMaxEnvelopes / mqttClientMaxBytes)',
  'session-quota': 'a receiving session is full (mqttSessionMaxEnvelopes / mqttSessionMaxBytes)',
} as const;
export type QueueRefusal = keyof typeof QUEUE_REFUSAL_TEXTS;
export const QUEUE_REFUSALS = Object.keys(QUEUE_REFUSAL_TEXTS) as QueueRefusal[];

export interface QueueQuotas {
  /** Which quota `sessions.length` copies of `size` bytes published by `from` would pass, or undefined when they all fit. */
  refusal(from: string, sessions: readonly string[], size: number): QueueRefusal | undefined;
  charge(from: string, session: string, size: number): void;
  refund(from: string, session: string, size: number): void;
  /** What one session has queued now. */
  ofSession(session: string): { readonly messages: number; readonly bytes: number };
  readonly messages: number;
  readonly bytes: number;
}

type Usage = { messages: number; bytes: number };

export function queueQuotas(limits: QueueLimits): QueueQuotas {
  const bySession = new Map<string, Usage>();
  const byClient = new Map<string, Usage>();
  const total: Usage = { messages: 0, bytes: 0 };
  const usage = (map: Map<string, Usage>, key: string): Usage => map.get(key) ?? { messages: 0, bytes: 0 };
  const change = (map: Map<string, Usage>, key: string, messages: number, bytes: number): void => {
    const next = { messages: usage(map, key).messages + messages, bytes: usage(map, key).bytes + bytes };
    // Entries at zero go: ids that come and go must not grow these maps.
    if (next.messages <= 0) map.delete(key);
    else map.set(key, next);
  };
  return {
    refusal(from, sessions, size) {
      if (sessions.length === 0) return undefined;
      const copies = sessions.length;
      if (total.messages + copies > limits.maxMessages || total.bytes + copies * size > limits.maxBytes) return 'broker-full';
      const client = usage(byClient, from);
      if (client.messages + copies > limits.maxPerClient || client.bytes + copies * size > limits.maxBytesPerClient) return 'client-quota';
      for (const session of new Set(sessions)) {
        const held = usage(bySession, session);
        if (held.messages + 1 > limits.maxPerSession || held.bytes + size > limits.maxBytesPerSession) return 'session-quota';
      }
      return undefined;
    },
    charge(from, session, size) {
      change(bySession, session, 1, size);
      change(byClient, from, 1, size);
      total.messages++;
      total.bytes += size;
    },
    refund(from, session, size) {
      change(bySession, session, -1, -size);
      change(byClient, from, -1, -size);
      total.messages--;
      total.bytes -= size;
    },
    ofSession: (session) => usage(bySession, session),
    get messages() {
      return total.messages;
    },
    get bytes() {
      return total.bytes;
    },
  };
}
