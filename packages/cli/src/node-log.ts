import { pino, type Logger } from 'pino';
import type { NodeEvent } from '@herald/core';

/**
 * `--log-format json`: the node's events as pino JSON lines on stderr, for a log collector. Fields are chosen one by
 * one: codes, channels, message ids and a refused envelope's verified sender (this node's own correspondence, which
 * its operator may see); never plaintext, keys or routing tags.
 */
export function nodeLogger(): Logger {
  return pino({ base: { service: 'herald-node' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}

export function logEvent(log: Logger, event: NodeEvent): void {
  switch (event.type) {
    case 'status':
      if (event.failure) log.warn({ event: 'status', id: event.id, status: event.status, channel: event.channel, code: event.failure.code }, event.failure.message);
      else log.info({ event: 'status', id: event.id, status: event.status, channel: event.channel }, `message ${event.status}`);
      return;
    case 'rejected':
      log.warn({ event: 'rejected', code: event.code, channel: event.channel, id: event.id, sender: event.sender }, 'envelope refused');
      return;
    case 'breaker':
      log.warn({ event: 'breaker', channel: event.channel, state: event.state }, `channel breaker ${event.state}`);
      return;
    case 'ack-sent':
      log.debug({ event: 'ack-sent', channel: event.channel, count: event.ids.length }, 'acks sent');
      return;
    case 'error':
      log.error({ event: 'error', err: { message: event.error.message } }, 'node error');
  }
}
