import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { webSocketTransport } from '../src/index.js';

describe('traffic shape options', () => {
  it('are validated at construction with precise messages', () => {
    const identity = generateIdentity();
    const make = (extra: object) => () => webSocketTransport({ url: 'ws://x', identity, ...extra } as never);
    expect(make({ padding: 'always' })).toThrow('webSocketTransport: padding: expected one of preferred, required, off, got "always"');
    expect(make({ coverTraffic: {} })).toThrow('webSocketTransport: coverTraffic.framesPerMinute: expected whole frames per minute from 1 to 6000, got undefined');
    expect(make({ coverTraffic: { framesPerMinute: 0 } })).toThrow('webSocketTransport: coverTraffic.framesPerMinute: expected whole frames per minute from 1 to 6000, got 0');
    expect(make({ coverTraffic: { framesPerMinute: 60, frameBytes: 1000 } })).toThrow('webSocketTransport: coverTraffic.frameBytes: expected a frame bucket (512, 768, 1280, 2304, 4352, …), got 1000');
    expect(make({ coverTraffic: { framesPerMinute: 60, rate: 1 } })).toThrow('unknown option "rate"');
    expect(make({ padding: 'off', coverTraffic: { framesPerMinute: 60 } })).toThrow('coverTraffic: needs padding');
    expect(make({ padding: 'required', coverTraffic: { framesPerMinute: 60, frameBytes: 1280, echo: false } })).not.toThrow();
  });
});
