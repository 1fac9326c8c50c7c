import { describe, expect, it } from 'vitest';
import { TransportError } from '@herald/core';
import { mapImapError } from '@herald/transport-email';

/** Shapes as imapflow raises them: `responseStatus` NO/BAD, the bracketed code as `serverResponseCode` or in the parsed response. */
const tagged = (status: 'NO' | 'BAD', code: string | undefined, text: string) =>
  Object.assign(new Error('Command failed'), { responseStatus: status, responseText: text, response: { attributes: code === undefined ? [] : [{ section: [{ value: code }] }] } });

const map = (error: unknown) => {
  const mapped = mapImapError(error, 'email:bob@x.example', 'IMAP');
  return { code: mapped.code, retryable: mapped.retryable };
};

describe('IMAP error mapping (temporary retryable, permanent not)', () => {
  it.each([
    ['LOGIN refused', Object.assign(new Error('Command failed'), { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }), 'CHANNEL_REJECTED', false],
    ['NO [AUTHORIZATIONFAILED]', tagged('NO', 'AUTHORIZATIONFAILED', 'not yours'), 'CHANNEL_REJECTED', false],
    ['NO [NONEXISTENT] on SELECT', tagged('NO', 'NONEXISTENT', 'Mailbox does not exist'), 'CHANNEL_REJECTED', false],
    ['NO [NOPERM]', tagged('NO', 'NOPERM', 'no right to expunge'), 'CHANNEL_REJECTED', false],
    ['NO [OVERQUOTA] on MOVE', tagged('NO', 'OVERQUOTA', 'Quota exceeded'), 'QUOTA_EXCEEDED', true],
    ['NO [UNAVAILABLE]', tagged('NO', 'UNAVAILABLE', 'try later'), 'CHANNEL_UNAVAILABLE', true],
    ['NO [INUSE]', tagged('NO', 'INUSE', 'mailbox locked'), 'CHANNEL_UNAVAILABLE', true],
    ['NO without a code', tagged('NO', undefined, 'Internal error occurred'), 'CHANNEL_UNAVAILABLE', true],
    ['BAD without a code', tagged('BAD', undefined, 'Unknown command'), 'CHANNEL_REJECTED', false],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:993'), { code: 'ECONNREFUSED' }), 'CHANNEL_UNAVAILABLE', true],
    ['connection lost', Object.assign(new Error('Connection not available'), { code: 'NoConnection' }), 'CHANNEL_UNAVAILABLE', true],
    ['greeting timeout', Object.assign(new Error('Greeting never received'), { code: 'GREETING_TIMEOUT' }), 'CHANNEL_TIMEOUT', true],
    ['STARTTLS missing', Object.assign(new Error('Server does not support STARTTLS'), { tlsFailed: true }), 'CHANNEL_UNAVAILABLE', true],
  ])('%s → %s (retryable %s)', (_label, error, code, retryable) => {
    expect(map(error)).toEqual({ code, retryable });
  });

  it('says what failed with the server’s text, names the channel, and keeps a TransportError as it is', () => {
    const mapped = mapImapError(tagged('NO', 'OVERQUOTA', 'Quota exceeded (mailbox for user is full)'), 'email:bob@x.example', 'moving mail 7');
    expect(mapped).toBeInstanceOf(TransportError);
    expect(mapped.message).toBe('email:bob@x.example: moving mail 7: Quota exceeded (mailbox for user is full)');
    expect(mapped.channel).toBe('email:bob@x.example');
    const own = new TransportError('CHANNEL_TIMEOUT', 'email:bob@x.example', 'IMAP: a mailbox scan stalled');
    expect(mapImapError(own, 'email:bob@x.example', 'IMAP')).toBe(own);
  });
});
