import { checkOptions, flagOption, OptionsError, OptionType, proxyFor, textOption, wholeOption, type OptionsOf, type ProxyOption } from '@herald/core';
import { TEMPLATE_LANGUAGES, type TemplateLanguage } from './templates/languages.js';
import { resolveAccount, type MailAccountInit, type ResolvedAccount } from './account.js';
import { resolveAddressBook } from './address-book.js';
import { addressCards, type AddressCard } from './address-cards.js';
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
    addressCards: opaque<readonly AddressCard[]>("Recipients by card: `[{ card, address }]`. Needed for a version-2 card, whose routing tag changes every epoch: each epoch's tag of the last 30 days (a relay's retention) is mapped to the address. Default none."),
    mailbox: OptionType.ReadonlyOptional(OptionType.String({ description: 'The folder IMAP reads. Default INBOX.', errorMessage: 'expected a folder name' })),
    processed: opaque<ProcessedAction>("What happens on the server to a received envelope's mail once the node stored it. Default { action: 'delete' }: nothing is left on the server."),
    format: OptionType.ReadonlyOptional(OptionType.Union([OptionType.Literal('attachment'), OptionType.Literal('armored')], { default: 'attachment', description: "'attachment' (default): the envelope as a binary MIME attachment; 'armored': base64 lines in the text body.", errorMessage: 'expected "attachment" or "armored"' })),
    camouflage: OptionType.ReadonlyOptional(
      OptionType.Object(
        {
          subject: OptionType.Optional(OptionType.String({ description: 'The same subject on every mail (else drawn from `subjects`, else the templates).', errorMessage: 'expected a string' })),
          subjects: OptionType.Optional(OptionType.Unsafe<readonly string[]>(OptionType.Any({ description: 'Subjects to draw from, one per mail (1 to 1000).' }))),
          fromName: OptionType.Optional(OptionType.String({ description: 'The display name beside the sender address; its first word signs the built-in bodies. Default none.', errorMessage: 'expected a string' })),
          bodyText: OptionType.Optional(OptionType.String({ description: 'The same body on every mail (else drawn from `bodies`, else the templates).', errorMessage: 'expected a string' })),
          bodies: OptionType.Optional(OptionType.Unsafe<readonly string[]>(OptionType.Any({ description: 'Bodies to draw from, one per mail (1 to 1000).' }))),
          attachmentName: OptionType.Optional(OptionType.String({ description: 'The same attachment name on every mail (else drawn from `attachmentNames`, else made up per mail). Its extension sets the media type.', errorMessage: 'expected a string' })),
          attachmentNames: OptionType.Optional(OptionType.Unsafe<readonly string[]>(OptionType.Any({ description: 'Attachment names to draw from, one per mail (1 to 1000).' }))),
          language: OptionType.Optional(OptionType.Unsafe<TemplateLanguage>(OptionType.Any({ description: "The built-in templates' language, also declared in Content-Language: en (default), de, fr, es, pt, ru." }))),
        },
        {
          additionalProperties: false,
          description: 'Everything a mail carries besides the envelope. By default each mail reads like ordinary correspondence written in a common mail client: a subject and a short body drawn from the built-in templates of `language`, the envelope attached as a dated document, scan, photo or archive (templates/). A fixed value, or a list to draw from per mail, replaces the built-in words; `{date}`, `{weekday}`, `{file}` and `{sender}` are filled in.',
          errorMessage: 'expected an object',
        },
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
    proxy: opaque<ProxyOption>("The proxy SMTP and IMAP connections go through: `socks5h://host:port` (Tor: socks5h://127.0.0.1:9050) or `http://host:port` (CONNECT), credentials in the URL if the proxy wants them; the proxy resolves the servers' names. false: always direct. Default: `HTTPS_PROXY`, then `ALL_PROXY`, unless `NO_PROXY` names the server or it is loopback."),
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
  /** The address of a tag that belongs to a card in `addressCards` (address-cards.ts). */
  readonly addressOfCardTag: (tag: string, now: number) => string | undefined;
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

function text(value: unknown, field: string, maxLength: number, multiline = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > maxLength) throw new OptionsError(`emailTransport: ${field}: expected a string of at most ${maxLength} characters`);
  // Header values must not smuggle in further header lines.
  if (!multiline && /[\r\n\0]/.test(value)) throw new OptionsError(`emailTransport: ${field}: must not contain line breaks or NUL`);
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

const CAMOUFLAGE_TEXTS = [['subject', 200], ['fromName', 100], ['bodyText', 64 * 1024], ['attachmentName', 100]] as const;
const CAMOUFLAGE_LISTS = [['subjects', 'subject', 200], ['bodies', 'bodyText', 64 * 1024], ['attachmentNames', 'attachmentName', 100]] as const;

function camouflage(value: Camouflage | undefined): Camouflage {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new OptionsError('emailTransport: camouflage: expected an object');
  const known = new Set<string>(['language', ...CAMOUFLAGE_TEXTS.map(([key]) => key), ...CAMOUFLAGE_LISTS.map(([key]) => key)]);
  for (const key of Object.keys(value)) if (!known.has(key)) throw new OptionsError(`emailTransport: camouflage: unknown option "${key}"`);
  const out: Record<string, unknown> = {};
  for (const [key, max] of CAMOUFLAGE_TEXTS) {
    const checked = text(value[key], `camouflage.${key}`, max, key === 'bodyText');
    if (checked !== undefined) out[key] = checked;
  }
  for (const [key, single, max] of CAMOUFLAGE_LISTS) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || list.length > 1000) throw new OptionsError(`emailTransport: camouflage.${key}: expected a list of 1 to 1000 strings`);
    // Each entry is checked as the single value would be (no line breaks in header values).
    out[key] = list.map((entry: unknown, index) => text(entry, `camouflage.${key}[${index}]`, max, single === 'bodyText') ?? '');
    if ((out[key] as string[]).some((entry) => entry.trim() === '')) throw new OptionsError(`emailTransport: camouflage.${key}: entries must not be empty`);
  }
  if (value.language !== undefined && !TEMPLATE_LANGUAGES.includes(value.language)) throw new OptionsError(`emailTransport: camouflage.language: expected one of ${TEMPLATE_LANGUAGES.join(', ')}, got ${JSON.stringify(value.language)}`);
  if (value.language !== undefined) out['language'] = value.language;
  return out as Camouflage;
}

function throughProxy(account: ResolvedAccount, option: ProxyOption | undefined): ResolvedAccount {
  const proxy = proxyFor(option, account.host, account.port, 'emailTransport: proxy');
  return proxy === undefined ? account : { ...account, proxy };
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
  if (init.proxy !== undefined && init.proxy !== false && typeof init.proxy !== 'string') throw new OptionsError('emailTransport: proxy: expected a proxy URL or false');
  const smtp = smtpInit ? throughProxy(resolveAccount(smtpInit, 'smtp', 'emailTransport: smtp'), init.proxy) : undefined;
  const imap = imapInit ? throughProxy(resolveAccount(imapInit, 'imap', 'emailTransport: imap'), init.proxy) : undefined;
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
    addressOfCardTag: addressCards(init.addressCards),
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
