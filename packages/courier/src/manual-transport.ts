import { isAbsolute, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { healthTracker, OptionsError, transportLifecycle, TransportError, type Route, type SendReceipt, type Transport } from '@herald/core';
import { writeFileAtomically } from './files.js';
import { resolveGroupsOptions } from './groups-options.js';
import { renderGroups } from './groups-write.js';
import { qrTexts } from './qr-text.js';
import { renderQr } from './qr-render.js';

export const DEFAULT_MANUAL_MAX_ENVELOPE_BYTES = 4096;
const KNOWN = new Set(['path', 'output', 'name', 'alphabet', 'groupsPerLine', 'qr', 'maxEnvelopeBytes']);

export interface ManualTransportInit {
  /** Folder where each message is written for the operator; without it, the text goes to `output`. */
  readonly path?: string;
  /** Where the groups go when there is no folder. Default: stderr. */
  readonly output?: (text: string) => void | Promise<void>;
  readonly name?: string;
  readonly alphabet?: 'letters' | 'base32';
  readonly groupsPerLine?: number;
  /** Also write PNG QR codes into the folder. Default true with a folder. */
  readonly qr?: boolean;
  /** Largest envelope handed to an operator. Default 4096 bytes (about 1,400 groups). */
  readonly maxEnvelopeBytes?: number;
}

/**
 * The `manual:` channel: a person carries the message. When the router picks
 * it, the envelope is written as cipher groups (and QR codes) for the operator
 * to read over the radio, key in Morse or print, and `send` resolves: the
 * message is handed over (accepted). Delivery is confirmed like on any channel,
 * by the recipient's end-to-end ack arriving over any channel, or by the
 * operator entering the recipient's short ack code (`herald ack-code`).
 * Nothing arrives through it: the far side reads groups in with `herald groups --read`.
 */
export function manualTransport(init: ManualTransportInit = {}): Transport {
  if (typeof init !== 'object' || init === null) throw new OptionsError('manualTransport: init must be an object');
  for (const key of Object.keys(init)) if (!KNOWN.has(key)) throw new OptionsError(`manualTransport: unknown option "${key}"`);
  if (init.output !== undefined && typeof init.output !== 'function') throw new OptionsError('manualTransport: output: expected a function');
  if (init.qr !== undefined && typeof init.qr !== 'boolean') throw new OptionsError(`manualTransport: qr: expected a boolean, got ${String(init.qr)}`);
  // Checked now, so a bad alphabet or line length fails at construction, not on the first message.
  const groupOptions = { ...(init.alphabet ? { alphabet: init.alphabet } : {}), ...(init.groupsPerLine ? { groupsPerLine: init.groupsPerLine } : {}) };
  resolveGroupsOptions(groupOptions);
  if (init.path !== undefined && (typeof init.path !== 'string' || !isAbsolute(init.path))) throw new OptionsError(`manualTransport: path: expected an absolute folder path, got ${JSON.stringify(init.path)}`);
  const maxEnvelopeBytes = init.maxEnvelopeBytes ?? DEFAULT_MANUAL_MAX_ENVELOPE_BYTES;
  if (!Number.isInteger(maxEnvelopeBytes) || maxEnvelopeBytes < 1 || maxEnvelopeBytes > 16 * 1024) throw new OptionsError(`manualTransport: maxEnvelopeBytes: expected 1 to 16384, got ${String(maxEnvelopeBytes)}`);
  const folder = init.path === undefined ? undefined : resolve(init.path);
  const name = init.name ?? `manual:${folder ?? ''}`;
  const output = init.output ?? ((text: string) => void process.stderr.write(text));
  const writeQr = init.qr ?? folder !== undefined;
  const status = healthTracker();
  const lifecycle = transportLifecycle({
    channel: name,
    async open() {
      if (folder !== undefined) {
        try {
          await mkdir(folder, { recursive: true, mode: 0o700 });
        } catch (error) {
          status.set('down', `cannot create ${folder}: ${(error as NodeJS.ErrnoException).code ?? ''}`);
        }
      }
      if (status.current().reason === 'not started') status.set('up');
    },
    stopped: () => status.set('down', 'stopped'),
    close: async () => undefined,
  });

  async function handOver(envelope: Uint8Array, route: Route, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (envelope.length > maxEnvelopeBytes) throw new TransportError('CHANNEL_TOO_SMALL', name, `an envelope of ${envelope.length} bytes is more than an operator should key (maxEnvelopeBytes ${maxEnvelopeBytes})`, { retryable: false });
    const groups = renderGroups(envelope, groupOptions);
    const title = `message ${groups.number} (${route.messageId}) for ${route.routingTags.map((tag) => tag.slice(0, 8)).join(', ')}, ${groups.totalGroups} groups`;
    try {
      if (folder === undefined) {
        await output(`\n# manual channel: transmit ${title}\n${groups.text}# the recipient reads it in with herald groups --read and gives you an ack code\n\n`);
      } else {
        const base = `${String(groups.number).padStart(4, '0')}-${route.messageId}`;
        if (writeQr) {
          const texts = qrTexts(envelope);
          for (const [index, text] of texts.entries()) {
            await writeFileAtomically(folder, `${base}.qr-${index + 1}-of-${texts.length}.png`, (await renderQr(text, 'png')) as Uint8Array, signal);
          }
        }
        // The groups file last: its presence tells the operator the message is complete.
        await writeFileAtomically(folder, `${base}.groups.txt`, groups.text, signal);
      }
    } catch (error) {
      if (signal?.aborted) throw new TransportError('ABORTED', name, 'send aborted', { cause: error });
      const reason = `writing for the operator failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      status.set('down', reason);
      throw new TransportError('CHANNEL_UNAVAILABLE', name, reason, { cause: error });
    }
    const acceptedAt = Date.now();
    status.set('up');
    status.moved(acceptedAt);
    return { channel: name, acceptedAt };
  }

  return {
    name,
    capabilities: Object.freeze({ maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'poll' as const }),
    start: (start) => lifecycle.start(start),
    stop: (options) => lifecycle.stop(options),
    // Nothing is collected by tag here (an operator keys in what arrives): a new epoch tag set changes nothing, and
    // having the method keeps the node from restarting this channel at every epoch boundary.
    updateRoutingTags: async () => undefined,
    send: (envelope, route, options = {}) => lifecycle.send(options.signal, () => handOver(envelope, route, options.signal)),
    health: () => status.current(),
    subscribe: (listener) => status.subscribe(listener),
  };
}
