import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { retried } from './retried.js';

/** How a publish ended: stored (JetStream's acknowledgement, after its replicas have it), or why not. */
export type PublishResult =
  | { readonly kind: 'stored'; readonly ack: PubAck }
  | { readonly kind: 'mailbox-full' | 'relay-full' }
  | { readonly kind: 'failed'; readonly full: boolean; readonly reason: string };

/**
 * nats-server answers a refused store with one API code (10077, "store failed") and the store's reason as text:
 * the text tells a full mailbox (discard-new per subject), a full stream, and a cluster out of disk apart.
 */
function refusal(message: string): PublishResult | undefined {
  if (/maximum messages per subject exceeded/i.test(message)) return { kind: 'mailbox-full' };
  if (/maximum (messages|bytes) exceeded/i.test(message)) return { kind: 'relay-full' };
  if (/insufficient (storage )?resources|storage resources exceeded/i.test(message)) return { kind: 'failed', full: true, reason: `the NATS cluster has no room left (${message})` };
  return undefined;
}

/**
 * Publishes one entry and waits for JetStream's acknowledgement, which the stream leader sends once a quorum of
 * its replicas stored it. A timeout or "no responders" (a leader election after a node's crash, a reconnection)
 * is retried (retried.ts) with the same Nats-Msg-Id until `timeoutMs`: a retry of a publish that did land is acknowledged as a
 * duplicate of it, so nothing is stored twice.
 */
export async function publishEntry(client: JetStreamClient, subject: string, bytes: Uint8Array, msgID: string, headers: MsgHdrs, timeoutMs: number): Promise<PublishResult> {
  try {
    const ack = await retried((timeout) => client.publish(subject, bytes, { msgID, headers, timeout }), timeoutMs, (error) => refusal((error as Error).message) !== undefined);
    return { kind: 'stored', ack };
  } catch (error) {
    const message = (error as Error).message;
    return refusal(message) ?? { kind: 'failed', full: false, reason: `the NATS cluster did not store the envelope within ${timeoutMs} ms (${message})` };
  }
}
