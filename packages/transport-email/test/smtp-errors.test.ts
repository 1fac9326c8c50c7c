import { describe, expect, it } from 'vitest';
import { mapSmtpError } from '@herald/transport-email';

const map = (error: object) => {
  const { error: mapped, serverDown } = mapSmtpError(error, 'email:a@x.example', 'sending');
  return { code: mapped.code, retryable: mapped.retryable, serverDown };
};

describe('SMTP error mapping (4xx retryable, 5xx not)', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 450, response: '450 4.2.0 Mailbox unavailable' }, 'CHANNEL_UNAVAILABLE', true],
    [{ code: 'EMESSAGE', responseCode: 452, response: '452 4.3.1 Insufficient system storage' }, 'QUOTA_EXCEEDED', true],
    [{ code: 'EENVELOPE', responseCode: 421, response: '421 4.3.2 Service shutting down' }, 'CHANNEL_UNAVAILABLE', true],
    [{ code: 'EAUTH', responseCode: 454, response: '454 4.7.0 Temporary authentication failure' }, 'CHANNEL_UNAVAILABLE', true],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Error: authentication failed' }, 'CHANNEL_REJECTED', false],
    [{ code: 'EMESSAGE', responseCode: 552, response: '552 5.3.4 Message size exceeds fixed limit' }, 'CHANNEL_TOO_SMALL', false],
    [{ code: 'EENVELOPE', responseCode: 552, response: '552 5.2.2 Mailbox full' }, 'QUOTA_EXCEEDED', false],
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 User unknown' }, 'CHANNEL_REJECTED', false],
    [{ code: 'EENVELOPE', responseCode: 554, response: '554 5.7.1 Relay access denied' }, 'CHANNEL_REJECTED', false],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' }, 'CHANNEL_UNAVAILABLE', true],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, 'CHANNEL_TIMEOUT', true],
    [{ code: 'ETLS', message: 'self-signed certificate' }, 'CHANNEL_UNAVAILABLE', true],
  ])('%j → %s (retryable %s)', (error, code, retryable) => {
    expect(map(error)).toMatchObject({ code, retryable });
  });

  it('keeps the server’s first reply line and nothing longer', () => {
    const { error } = mapSmtpError({ responseCode: 550, response: `550 5.1.1 unknown\r\nsecond line ${'x'.repeat(1000)}` }, 'email:a@x.example', 'sending');
    expect(error.message).toBe('email:a@x.example: sending: the SMTP server answered 550 5.1.1 unknown');
  });
});
