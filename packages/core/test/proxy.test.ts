import { afterEach, describe, expect, it } from 'vitest';
import { OptionsError, parseProxyUrl, proxyFor } from '../src/index.js';

const VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy'];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});
function clearEnvironment(): void {
  for (const name of VARIABLES) delete process.env[name];
}

describe('parseProxyUrl', () => {
  it('reads SOCKS5 and HTTP proxies, and has the proxy resolve names whichever SOCKS5 spelling is used', () => {
    expect(parseProxyUrl('socks5h://127.0.0.1:9050', 'proxy')).toMatchObject({ protocol: 'socks5h', host: '127.0.0.1', port: 9050, url: 'socks5h://127.0.0.1:9050', name: 'socks5h://127.0.0.1:9050' });
    // Local resolution would tell the local network (its DNS server) where the channel goes: never done.
    expect(parseProxyUrl('socks5://tor.internal', 'proxy')).toMatchObject({ protocol: 'socks5h', port: 1080, url: 'socks5h://tor.internal:1080' });
    expect(parseProxyUrl('socks://[::1]:9050', 'proxy')).toMatchObject({ protocol: 'socks5h', host: '::1', url: 'socks5h://[::1]:9050' });
    expect(parseProxyUrl('http://proxy.office:3128', 'proxy')).toMatchObject({ protocol: 'http', host: 'proxy.office', port: 3128 });
    expect(parseProxyUrl('http://proxy.office', 'proxy').port).toBe(80);
  });

  it('keeps credentials for the libraries and out of the name', () => {
    const proxy = parseProxyUrl('socks5h://user%40x:p%3Ass@127.0.0.1:1080', 'proxy');
    expect(proxy).toMatchObject({ username: 'user@x', password: 'p:ss', name: 'socks5h://127.0.0.1:1080' });
    expect(proxy.url).toBe('socks5h://user%40x:p%3Ass@127.0.0.1:1080');
    expect(proxy.name).not.toContain('p%3Ass');
  });

  it('refuses what it cannot honour, with the field named and no password echoed', () => {
    for (const [value, message] of [
      ['https://proxy:443', 'proxy scheme https: is not supported'],
      ['socks4://proxy:1080', 'proxy scheme socks4: is not supported'],
      ['http://proxy:3128/path', 'a proxy URL is only scheme://[user:password@]host:port'],
      ['not a url', 'not a URL'],
      ['', 'expected a proxy URL'],
    ] as const) {
      expect(() => parseProxyUrl(value, 'mqttTransport: proxy')).toThrow(OptionsError);
      expect(() => parseProxyUrl(value, 'mqttTransport: proxy')).toThrow(`mqttTransport: proxy: ${message}`);
    }
    expect(() => parseProxyUrl('http://u:secret%zz@proxy:1', 'proxy')).toThrow(/password is not valid percent-encoding/);
    expect(() => parseProxyUrl('http://u:secret%zz@proxy:1', 'proxy')).not.toThrow(/secret/);
  });
});

describe('proxyFor', () => {
  it('takes the channel option over the environment, and false over both', () => {
    clearEnvironment();
    process.env.HTTPS_PROXY = 'http://env-proxy:3128';
    expect(proxyFor('socks5h://127.0.0.1:9050', 'relay.example', 443, 'proxy')?.name).toBe('socks5h://127.0.0.1:9050');
    expect(proxyFor(false, 'relay.example', 443, 'proxy')).toBeUndefined();
    expect(proxyFor(undefined, 'relay.example', 443, 'proxy')?.name).toBe('http://env-proxy:3128');
  });

  it('reads HTTPS_PROXY, then ALL_PROXY (either case), and ignores HTTP_PROXY', () => {
    clearEnvironment();
    expect(proxyFor(undefined, 'relay.example', 443, 'proxy')).toBeUndefined();
    process.env.HTTP_PROXY = 'http://plain:80';
    expect(proxyFor(undefined, 'relay.example', 8080, 'proxy')).toBeUndefined();
    process.env.all_proxy = 'socks5h://127.0.0.1:9050';
    expect(proxyFor(undefined, 'relay.example', 8080, 'proxy')?.name).toBe('socks5h://127.0.0.1:9050');
    process.env.HTTPS_PROXY = 'http://office:3128';
    expect(proxyFor(undefined, 'relay.example', 8080, 'proxy')?.name).toBe('http://office:3128');
  });

  it('leaves hosts NO_PROXY names (exact, by suffix, by port, or all) direct', () => {
    clearEnvironment();
    process.env.ALL_PROXY = 'socks5h://127.0.0.1:9050';
    process.env.NO_PROXY = 'mail.internal, .lan, broker.example:1883';
    expect(proxyFor(undefined, 'mail.internal', 993, 'proxy')).toBeUndefined();
    expect(proxyFor(undefined, 'relay.lan', 443, 'proxy')).toBeUndefined();
    expect(proxyFor(undefined, 'broker.example', 1883, 'proxy')).toBeUndefined();
    expect(proxyFor(undefined, 'broker.example', 8883, 'proxy')).toBeDefined();
    expect(proxyFor(undefined, 'relay.example', 443, 'proxy')).toBeDefined();
    process.env.NO_PROXY = '*';
    expect(proxyFor(undefined, 'relay.example', 443, 'proxy')).toBeUndefined();
  });

  it('leaves loopback hosts to the environment\'s proxy direct, but not to the channel\'s own', () => {
    clearEnvironment();
    process.env.ALL_PROXY = 'socks5h://127.0.0.1:9050';
    for (const host of ['localhost', '127.0.0.1', '127.3.2.1', '::1']) expect(proxyFor(undefined, host, 443, 'proxy')).toBeUndefined();
    expect(proxyFor(undefined, '127.example', 443, 'proxy')).toBeDefined();
    expect(proxyFor('socks5h://127.0.0.1:9050', '127.0.0.1', 443, 'proxy')).toBeDefined();
  });

  it('says where a bad environment value came from', () => {
    clearEnvironment();
    process.env.ALL_PROXY = 'ftp://nowhere';
    expect(() => proxyFor(undefined, 'relay.example', 443, 'webSocketTransport: proxy')).toThrow('webSocketTransport: proxy (from HTTPS_PROXY or ALL_PROXY): proxy scheme ftp: is not supported');
  });
});
