import type { WebSocketTransportInit } from '@herald/transport-websocket';
import { UsageError } from './errors.js';

/**
 * A relay channel's traffic shape from its URL's fragment (`wss://relay/herald#cover=60&padding=required`): the
 * fragment is the client's own, never sent to the relay, so it can carry settings of this end without reaching the
 * relay or changing the URL the node signs. `cover`: cover frames a minute (docs/operations.md "Traffic shape");
 * `padding`: preferred, required or off. Returns the URL without its fragment, and the transport options.
 */
export function relayShape(url: string): { url: string; shape: Pick<WebSocketTransportInit, 'padding' | 'coverTraffic'> } {
  const at = url.indexOf('#');
  if (at < 0) return { url, shape: {} };
  const settings = new URLSearchParams(url.slice(at + 1));
  const shape: { padding?: 'preferred' | 'required' | 'off'; coverTraffic?: { framesPerMinute: number } } = {};
  for (const [key, value] of settings) {
    if (key === 'cover') {
      const framesPerMinute = Number(value);
      if (!/^\d+$/.test(value) || framesPerMinute < 1 || framesPerMinute > 6000) throw new UsageError(`--via ${url}: #cover: expected cover frames a minute, 1 to 6000, got ${JSON.stringify(value)}`);
      shape.coverTraffic = { framesPerMinute };
    } else if (key === 'padding') {
      if (value !== 'preferred' && value !== 'required' && value !== 'off') throw new UsageError(`--via ${url}: #padding: expected preferred, required or off, got ${JSON.stringify(value)}`);
      shape.padding = value;
    } else {
      throw new UsageError(`--via ${url}: unknown setting "${key}" after # (known: cover, padding)`);
    }
  }
  return { url: url.slice(0, at), shape };
}
