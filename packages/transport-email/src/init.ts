import { checkOptions, flagOption, OptionsError, OptionType, textOption, wholeOption, type OptionsOf } from '@herald/core';
import { resolveAccount, type MailAccountInit, type ResolvedAccount } from './account.js';
import { resolveAddressBook } from './address-book.js';
import { isMailAddress, parseEmailUrl } from './url.js';

/** 6 MiB: after base64 (×4/3 plus line breaks) it fits Postfix's default 10 240 000-byte message_size_limit. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 6 * 1024 * 1024;
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_DELIVERIES_IN_FLIGHT = 8;
export const DEFAULT_MAX_MESSAGES_PER_SCAN = 256;
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 20_000;

/** What happens on the server to a received envelope's mail once the node stored it. Other mail is never touched. */
export type ProcessedAction = { readonly action: 'delete' } | { readonly action: 'flag'; readonly flag?: string } | { readonly action: 'move'; readonly mailbox: string };

const opaque = <T>(description: string) => OptionType.ReadonlyOptional(OptionType.Unsafe<T>(OptionType.Any({ description })));

/**
 * The transport's options, declared once: the schema yields `EmailTransportInit`, and `resolveEmailInit` checks every
 * field against it (whole numbers in their unit and range, unknown keys refused). The accounts, the address book and
 * `processed` are checked by their own readers (account.ts, address-book.ts), whose messages never echo a password.
 */
export const EmailTransportInitSchema = OptionType.Object(
  {
    url: OptionType.ReadonlyOptional(OptionType.String({ description: '`email:ADDRESS[?smtp=URL&imap=URL]`; or give `address`. Server URLs in `smtp`/`imap` take precedence.', errorMessage: 'expected an email: URL' })),
    address: OptionType.ReadonlyOptional(OptionType.String({ description: 'The channel\'s own mailbox: the sender address of outgoing mail, the account IMAP reads.', errorMessage: 'expected a mailbox address such as bob@mission.example' })),
    smtp: opaque<MailAccountInit>('Outgoing: SMTP submission. Absent: receive-only (unless the URL names one).'),
    imap: opaque<MailAccountInit>('Incoming: IMAP. Absent: send-only (unless the URL names one).'),
    addressBook: opaque<Readonly<Record<string, string>>>('Routing tag (32 hex) → e-mail address of that recipient. Tags without an entry cannot be reached over this channel.'),
    mailbox: OptionType.ReadonlyOptional(OptionType.String({ description: 'The folder IMAP reads. Default INBOX.', errorMessage: 'expected a folder name' })),
    processed: opaque<ProcessedAction>("What happens on the server to a received envelope's mail once the node stored it. Default { action: 'delete' }: nothing is left on the server."),
    format: OptionType.ReadonlyOptional(OptionType.Union([OptionType.Literal('attachment'), OptionType.Literal('armored')], { default: 'attachment', description: "'attachment' (default): the envelope as a binary MIME attachment; 'armored': base64 lines in the text body.", errorMessage: 'expected "attachment" or "armored"' })),
    camouflage: OptionType.ReadonlyOptional(
      OptionType.Object(
        {
          subject: OptionType.Optional(OptionType.String({ description: 'Default none.', errorMessage: 'expected a string' })),
          fromName: OptionType.Optional(OptionType.String({ description: 'Default none.', errorMessage: 'expected a string' })),
          bodyText: OptionType.Optional(OptionType.String({ description: 'Default none.', errorMessage: 'expected a string' })),
          attachmentName: OptionType.Optional(OptionType.String({ description: "The attachment's file name; default a random `xxxxxxxx.bin` per mail.", errorMessage: 'expected a string' })),
        },
        { additionalProperties: false, description: 'Everything a mail carries besides the envelope. Defaults carry no fixed marker: no subject, no display name, no body text, a random attachment name.', errorMessage: 'expected an object' },
      ),
    ),
    heloName: OptionType.ReadonlyOptional(OptionType.String({ description: 'The name given in SMTP EHLO. Default the domain of `address` (never the machine\'s host name).', errorMessage: 'expected a host name' })),
    maxEnvelopeBytes: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_ENVELOPE_BYTES, 1, 64 * 1024 * 1024, 'bytes', 'Largest envelope sent or collected. Default 6 MiB; 1 byte to 64 MiB.')),
    pollIntervalMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_POLL_INTERVAL_MS, 50, 3_600_000, 'milliseconds', 'Mailbox scans besides IDLE pushes (and instead of them when the server lacks IDLE). Default 30 000 ms; 50 ms to 1 h.')),
    idle: OptionType.ReadonlyOptional(flagOption(true, 'Use IMAP IDLE for push. Default true.')),
    maxDeliveriesInFlight: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_DELIVERIES_IN_FLIGHT, 1, 256, 'deliveries', 'Deliveries awaiting the node at once. Default 8; 1 to 256.')),
    maxMessagesPerScan: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_MESSAGES_PER_SCAN, 1, 100_000, 'messages', 'Mails examined per scan; a bigger mailbox is worked through over several scans. Default 256; 1 to 100 000.')),
    maxReconnectDelayMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_RECONNECT_DELAY_MS, 100, 3_600_000, 'milliseconds', 'Ceiling of the reconnect and probe backoff. Default 30 000 ms; 100 ms to 1 h.')),
    timeoutMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_TIMEOUT_MS, 100, 600_000, 'milliseconds', 'Connect, greeting and command timeout. Default 20 000 ms; 100 ms to 10 min.')),
    name: OptionType.ReadonlyOptional(textOption('a non-empty string', 'Channel name in receipts and errors. Default `email:ADDRESS`.')),
  },
  { additionalProperties: false },
);

/** Everything an e-mail transport can be told (EmailTransportInitSchema describes each field and its default). */
export interface EmailTransportInit extends OptionsOf<typeof EmailTransportInitSchema> {}

/** Everything a mail carries besides the envelope (EmailTransportInitSchema's camouflage). */
export type Camouflage = NonNullable<EmailTransportInit['camouflage']>;

export interface ResolvedEmailInit {
  readonly address: string;
  readonly name: string;
  readonly smtp?: ResolvedAccount;
  readonly imap?: ResolvedAccount;
  readonly addressBook: ReadonlyMap<string, string>;
  readonly mailbox: string;
  readonly processed: ProcessedAction;
  readonly format: 'attachment' | 'armored';
  readonly camouflage: Camouflage;
  readonly heloName: string;
  readonly maxEnvelopeBytes: number;
  readonly pollIntervalMs: number;
  readonly idle: boolean;
  readonly maxDeliveriesInFlight: number;
  readonly maxMessagesPerScan: number;
  readonly maxReconnectDelayMs: number;
  readonly timeoutMs: number;
}

function text(value: unknown, field: string, maxLength: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > maxLength) throw new OptionsError(`emailTransport: ${field}: expected a string of at most ${maxLength} characters`);
  // Header values must not smuggle in further header lines.
  if (field !== 'camouflage.bodyText' && /[\r\n\0]/.test(value)) throw new OptionsError(`emailTransport: ${field}: must not contain line breaks or NUL`);
  return value;
}

function processedAction(value: ProcessedAction | undefined): ProcessedAction {
  if (value === undefined) return { action: 'delete' };
  if (typeof value !== 'object' || value === null) throw new OptionsError('emailTransport: processed: expected { action: "delete" | "flag" | "move" }');
  if (value.action === 'delete') return value;
  if (value.action === 'flag') return { action: 'flag', flag: text(value.flag, 'processed.flag', 100) ?? '\\Seen' };
  if (value.action === 'move') {
    if (typeof value.mailbox !== 'string' || value.mailbox.length === 0) throw new OptionsError('emailTransport: processed.mailbox: the folder to move processed mail to is required');
    return value;
  }
  throw new OptionsError(`emailTransport: processed.action: expected "delete", "flag" or "move", got ${JSON.stringify((value as { action?: unknown }).action)}`);
}

function camouflage(value: Camouflage | undefined): Camouflage {
  if (value === undefined) return {};
  const out: Record<string, string> = {};
  for (const [key, max] of [['subject', 200], ['fromName', 100], ['bodyText', 64 * 1024], ['attachmentName', 100]] as const) {
    const checked = text(value[key], `camouflage.${key}`, max);
    if (checked !== undefined) out[key] = checked;
  }
  return out;
}

/** Validates an init object once, at construction, so a bad configuration fails before anything touches the network. */
export function resolveEmailInit(init: EmailTransportInit): ResolvedEmailInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('emailTransport: init is required ({ url } or { address, smtp, imap, addressBook })');
  checkOptions(EmailTransportInitSchema, init, 'emailTransport');
  const fromUrl = init.url === undefined ? undefined : parseEmailUrl(init.url);
  if (fromUrl && init.address !== undefined && init.address !== fromUrl.address) throw new OptionsError(`emailTransport: address ${init.address} differs from the URL's ${fromUrl.address}`);
  const address = fromUrl?.address ?? init.address;
  if (!isMailAddress(address)) throw new OptionsError(`emailTransport: address (or url): expected a mailbox address such as bob@mission.example, got ${JSON.stringify(address)}`);
  const smtpInit = init.smtp ?? (fromUrl?.smtp ? { host: fromUrl.smtp.host, port: fromUrl.smtp.port, security: fromUrl.smtp.security } : undefined);
  const imapInit = init.imap ?? (fromUrl?.imap ? { host: fromUrl.imap.host, port: fromUrl.imap.port, security: fromUrl.imap.security } : undefined);
  if (!smtpInit && !imapInit) throw new OptionsError('emailTransport: give smtp (to send), imap (to receive), or both');
  const smtp = smtpInit ? resolveAccount(smtpInit, 'smtp', 'emailTransport: smtp') : undefined;
  const imap = imapInit ? resolveAccount(imapInit, 'imap', 'emailTransport: imap') : undefined;
  const mailbox = text(init.mailbox, 'mailbox', 200) ?? 'INBOX';
  if (mailbox.length === 0) throw new OptionsError('emailTransport: mailbox: expected a folder name');
  const format = init.format ?? 'attachment';
  const idle = init.idle ?? true;
  const name = init.name ?? `email:${address}`;
  const heloName = text(init.heloName, 'heloName', 253) ?? address.slice(address.indexOf('@') + 1);
  return {
    address,
    name,
    ...(smtp ? { smtp } : {}),
    ...(imap ? { imap } : {}),
    addressBook: resolveAddressBook(init.addressBook),
    mailbox,
    processed: processedAction(init.processed),
    format,
    camouflage: camouflage(init.camouflage),
    heloName,
    maxEnvelopeBytes: init.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
    pollIntervalMs: init.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    idle,
    maxDeliveriesInFlight: init.maxDeliveriesInFlight ?? DEFAULT_MAX_DELIVERIES_IN_FLIGHT,
    maxMessagesPerScan: init.maxMessagesPerScan ?? DEFAULT_MAX_MESSAGES_PER_SCAN,
    maxReconnectDelayMs: init.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
    timeoutMs: init.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}
