import type { MailSystem } from '@herald/mail-test-server';
import { SetupError } from '../errors.js';

type MailTestServer = typeof import('@herald/mail-test-server');

/**
 * The throwaway Postfix + Dovecot a drill's e-mail channel runs against. Loaded only for scenarios that use
 * e-mail, from an optional dependency: a Herald install for field use carries no test mail system.
 */
export async function loadMailSystem(): Promise<{ unavailable(): string | undefined; start(): Promise<MailSystem> }> {
  let module: MailTestServer;
  try {
    module = await import('@herald/mail-test-server');
  } catch {
    const why = '@herald/mail-test-server (the test mail system) is not installed with this Herald';
    return { unavailable: () => why, start: () => Promise.reject(new SetupError(why)) };
  }
  return { unavailable: () => module.mailSystemUnavailable(), start: () => module.startMailSystem() };
}
