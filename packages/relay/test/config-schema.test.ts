import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseDuration } from '@herald/core';
import { parseRelayConfig, relayConfigJsonSchema, resolveRelayInit } from '../src/index.js';
import { KNOWN_OPTIONS } from '../src/init.js';

const committed = new URL('../../../docs/schemas/relay-config.schema.json', import.meta.url);

describe('the relay config JSON Schema (docs/schemas/relay-config.schema.json)', () => {
  it('is what scripts/emit-schemas.mjs writes from RelayInitSchema now (run it after changing an option)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(`${JSON.stringify(relayConfigJsonSchema(), null, 2)}\n`);
  });

  it('names every option the relay knows, and no other', () => {
    const schema = relayConfigJsonSchema() as { properties: Record<string, unknown>; additionalProperties: unknown };
    expect(Object.keys(schema.properties).sort()).toEqual([...KNOWN_OPTIONS].sort());
    expect(schema.additionalProperties).toBe(false);
  });

  it('takes for a duration exactly what the relay reads as one (fractions of a millisecond aside)', () => {
    const pattern = new RegExp(DURATION_PATTERN);
    for (const text of ['30d', '1.5s', '500ms', ' 12 h ', '2W', '10MS', '1.5m', '30 days', '1.5', 'ms', '-1s', '1e3s', '1.1234567s', '10 sec']) {
      expect(pattern.test(text), text).toBe(parseDuration(text) !== undefined);
    }
    expect(parseRelayConfig('authTimeoutMs: 2s\n', 'r.yaml')).toEqual({ authTimeoutMs: 2000 });
  });

  it('states each number’s range as the relay checks it', () => {
    const schema = relayConfigJsonSchema() as { properties: Record<string, { minimum?: number; maximum?: number }> };
    const { minimum, maximum } = schema.properties.maxEnvelopeBytes!;
    expect(() => resolveRelayInit({ dataDir: 'd', maxEnvelopeBytes: minimum! })).not.toThrow();
    expect(() => resolveRelayInit({ dataDir: 'd', maxEnvelopeBytes: maximum! })).not.toThrow();
    expect(() => resolveRelayInit({ dataDir: 'd', maxEnvelopeBytes: maximum! + 1 })).toThrow(`maxEnvelopeBytes: expected whole bytes from ${minimum} to ${maximum}, got ${maximum! + 1}`);
  });
});

describe('the relay options, checked from their schema', () => {
  it('names the field, what was expected and what was given', () => {
    expect(() => resolveRelayInit({ dataDir: 'd', mqttAnonymous: 'yes' } as never)).toThrow('startRelay: mqttAnonymous: expected true or false, got "yes"');
    expect(() => resolveRelayInit({ dataDir: 'd', allowDeposit: ['a.card', ' '] })).toThrow('startRelay: allowDeposit[1]: expected a non-empty string, got " "');
    expect(() => resolveRelayInit({ dataDir: 'd', publicUrls: 'ws://x' } as never)).toThrow('startRelay: publicUrls: expected a list of non-empty strings, got "ws://x"');
    expect(() => resolveRelayInit({ dataDir: 'd', bogus: 1 } as never)).toThrow('startRelay: unknown option "bogus" (known: listen, dataDir,');
  });

  it('fills in each default the schema documents', () => {
    const resolved = resolveRelayInit({ dataDir: 'd' });
    expect([resolved.maxEnvelopeBytes, resolved.authTimeoutMs, resolved.logLevel, resolved.mqttAnonymous]).toEqual([1024 * 1024, 10_000, 'info', false]);
  });
});
