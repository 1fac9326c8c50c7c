import { OptionsError, TransportError, type Route } from '@herald/core';
import { isMailAddress } from './url.js';

const TAG = /^[0-9a-f]{32}$/;

/**
 * Routing tag → e-mail address. A card carries no e-mail address (and must
 * not: it would tie the key to an account), so whoever configures the channel
 * says where each recipient's mail goes. Several tags may share one address:
 * a shared mailbox, where each node picks out its own envelopes.
 */
export function resolveAddressBook(book: Readonly<Record<string, string>> | undefined): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  if (book === undefined) return map;
  if (typeof book !== 'object' || book === null || Array.isArray(book)) throw new OptionsError('emailTransport: addressBook: expected an object { "<routing tag hex>": "address" }');
  for (const [tag, address] of Object.entries(book)) {
    const key = tag.toLowerCase();
    if (!TAG.test(key)) throw new OptionsError(`emailTransport: addressBook: "${tag}" is not a routing tag (32 hex characters; \`herald inspect\` shows an envelope's tags)`);
    if (!isMailAddress(address)) throw new OptionsError(`emailTransport: addressBook["${tag}"]: expected an e-mail address, got ${JSON.stringify(address)}`);
    map.set(key, address);
  }
  return map;
}

/** The distinct addresses a route goes to. Tags without an address are skipped; none at all is a permanent refusal. */
export function addressesFor(route: Route, book: ReadonlyMap<string, string>, channel: string, byCard: (tag: string, now: number) => string | undefined = () => undefined): string[] {
  const addresses = new Set<string>();
  const now = Date.now();
  for (const raw of route.routingTags) {
    const tag = raw.toLowerCase();
    const address = book.get(tag) ?? byCard(tag, now);
    if (address !== undefined) addresses.add(address);
  }
  if (addresses.size === 0) throw new TransportError('CHANNEL_REJECTED', channel, `send: no e-mail address for routing tag${route.routingTags.length === 1 ? '' : 's'} ${route.routingTags.join(', ')} in the address book`, { retryable: false });
  return [...addresses];
}
