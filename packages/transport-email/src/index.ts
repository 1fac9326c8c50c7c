export { emailTransport } from './transport.js';
export {
  type EmailTransportInit,
  type ProcessedAction,
  type Camouflage,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_MAX_DELIVERIES_IN_FLIGHT,
  DEFAULT_MAX_MESSAGES_PER_SCAN,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
} from './init.js';
export { type MailAccountInit } from './account.js';
export { type AddressCard } from './address-cards.js';
export { parseEmailUrl, parseServerUrl, isMailAddress, type EmailUrl, type MailSecurity, type MailServerAddress } from './url.js';
export { composeMail, base64Lines } from './compose.js';
export { envelopeCandidates } from './candidates.js';
// Recognising an envelope in mail is shared with the relay's SMTP endpoint: @herald/protocol.
export { envelopeFromText, encodedSize } from '@herald/protocol';
export { clientMail, clientBoundary, CLIENT_USER_AGENT, type ClientMessage } from './mail-client.js';
export { disguise, type Disguise } from './mail-disguise.js';
export { TEMPLATE_LANGUAGES, type TemplateLanguage } from './templates/languages.js';
export { mapSmtpError, type MappedSmtpError } from './smtp-errors.js';
export { mapImapError } from './imap-errors.js';
export { emailInitFromConfig, loadEmailConfig, type EmailConfig } from './config.js';
