import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { channelFromUrl } from '../src/channels.js';
import { mqttChannel, withoutCredentials } from '../src/mqtt-channel.js';

const identity = generateIdentity({ label: 'Alice' });

describe('--via mqtt:// and mqtts://', () => {
  it('makes an MQTT channel named without credentials', () => {
    expect(channelFromUrl('mqtt://user:pa55@127.0.0.1:1884', identity).name).toBe('mqtt://127.0.0.1:1884');
    expect(channelFromUrl('mqtts://broker.example', identity).name).toBe('mqtts://broker.example:8883');
    expect(channelFromUrl('mqtt://broker.example', identity).capabilities.delivery).toBe('push');
  });

  it('needs the identity, and never repeats a password in the message', () => {
    let message = '';
    try {
      mqttChannel('mqtt://user:pa55@127.0.0.1:1884', undefined);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/needs the node's identity \(--key\)/);
    expect(message).not.toContain('pa55');
  });

  it('takes user:password@ out of URLs shown to people', () => {
    expect(withoutCredentials('mqtt://user:pa55@127.0.0.1:1884')).toBe('mqtt://127.0.0.1:1884');
    expect(withoutCredentials('mqtts://user@broker.example')).toBe('mqtts://broker.example');
    expect(withoutCredentials('dir:/mnt/usb@home')).toBe('dir:/mnt/usb@home');
    expect(withoutCredentials('ws://127.0.0.1:7700/')).toBe('ws://127.0.0.1:7700/');
  });

  it('takes credentials from HERALD_MQTT_USERNAME and HERALD_MQTT_PASSWORD when the URL has none', () => {
    expect(() => mqttChannel('mqtt://127.0.0.1:1884', identity, { HERALD_MQTT_USERNAME: 'u', HERALD_MQTT_PASSWORD: 'p' })).not.toThrow();
    // The URL's own credentials win; the environment is then not mixed in.
    expect(() => mqttChannel('mqtt://a:b@127.0.0.1:1884', identity, { HERALD_MQTT_USERNAME: 'u', HERALD_MQTT_PASSWORD: 'p' })).not.toThrow();
  });
});
