import { pino, type Logger } from 'pino';

/**
 * JSON logs on stderr (stdout carries only the "relay listening on" line that
 * scripts read). What is logged is chosen field by field: connection numbers,
 * codes, counts and sizes. Never an envelope, a key, a signature, a routing tag
 * or a client address: the relay's logs must not become the contact graph.
 */
export function relayLogger(level: string): Logger {
  return pino({ level, base: { service: 'herald-relay' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: false }));
}

export type { Logger };
