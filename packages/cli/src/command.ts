import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { writeStdout } from './io.js';
import { FALLBACK_ENV, fallbackValue, readProfile, type FlagFallback, type Profile } from './profile.js';

/** One flag: what node's parseArgs needs, plus what `--help` and validation need. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly required?: boolean;
  /** When not given: the environment variable, then the profile `herald init` wrote (profile.ts). */
  readonly fallback?: FlagFallback;
  /** Placeholder shown in help, e.g. FILE. */
  readonly value?: string;
  readonly description: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type FlagValue<S extends FlagSpec> = S extends { type: 'boolean' }
  ? S extends { multiple: true } ? boolean[] : boolean
  : S extends { multiple: true } ? string[] : string;

export type FlagValues<F extends FlagSpecs> = { readonly [K in keyof F]?: FlagValue<F[K]> };

export interface Invocation<F extends FlagSpecs> {
  readonly flags: FlagValues<F>;
  /** Positional arguments, exactly as many as the spec's `args` names. */
  readonly args: readonly string[];
}

export interface CommandSpec<F extends FlagSpecs> {
  readonly name: string;
  /** One line for `herald --help`. */
  readonly summary: string;
  /** What follows `herald NAME` in the usage line. */
  readonly synopsis: string;
  /** What the command does and where its input and output go. */
  readonly description: string;
  readonly flags: F;
  /** Names of the positional arguments, all required. */
  readonly args?: readonly string[];
  /** Names of positional arguments that may follow the required ones. */
  readonly optionalArgs?: readonly string[];
  run(invocation: Invocation<F>): Promise<void>;
}

/** What the dispatcher sees: the flag types are erased so the table can hold any command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  execute(argv: readonly string[]): Promise<void>;
}

const HELP_FLAG = { type: 'boolean', short: 'h', description: 'show this help' } as const satisfies FlagSpec;

export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): Command {
  const flags: FlagSpecs = { ...spec.flags, help: HELP_FLAG };
  const help = formatHelp(spec, flags);
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    async execute(argv) {
      const parsed = parseFlags(argv, flags);
      if (parsed === 'help') return writeStdout(help);
      await fillFallbacks(parsed.flags, flags);
      for (const [name, flag] of Object.entries(flags)) {
        if (flag.required && parsed.flags[name] === undefined) throw new UsageError(`--${name} is required${flag.fallback ? ` (or ${FALLBACK_ENV[flag.fallback]}, or a profile from herald init)` : ''}`);
      }
      checkPositionals(parsed.args, spec.args ?? [], spec.optionalArgs ?? []);
      await spec.run({ flags: parsed.flags as FlagValues<F>, args: parsed.args });
    },
  };
}

function parseFlags(argv: readonly string[], flags: FlagSpecs): 'help' | { flags: Record<string, unknown>; args: string[] } {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, flag]) => [name, { type: flag.type, ...(flag.multiple ? { multiple: true } : {}), ...(flag.short ? { short: flag.short } : {}) }]),
  );
  let result;
  try {
    result = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    // `--help` should work even next to a mistake: it is what the user reaches for after one.
    const beforeTerminator = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    if (beforeTerminator.includes('--help') || beforeTerminator.includes('-h')) return 'help';
    throw new UsageError(parseArgsMessage(error));
  }
  if (result.values['help'] === true) return 'help';
  const seen = new Set<string>();
  for (const token of result.tokens) {
    if (token.kind !== 'option') continue;
    const flag = flags[token.name];
    // parseArgs keeps the last of a repeated single-valued flag; silently ignoring `--sender a --sender b` would be a trap.
    if (flag?.type === 'string' && !flag.multiple && seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  return { flags: result.values, args: result.positionals };
}

/** Flags left out take their environment variable or profile value; the profile is read once, and only if needed. */
async function fillFallbacks(values: Record<string, unknown>, flags: FlagSpecs): Promise<void> {
  let profile: Promise<Profile> | undefined;
  for (const [name, flag] of Object.entries(flags)) {
    if (!flag.fallback || values[name] !== undefined) continue;
    const value = await fallbackValue(flag.fallback, () => (profile ??= readProfile()));
    if (value !== undefined) values[name] = value;
  }
}

/** node's messages are long and suggest `--` tricks; keep the gist and the flag name. */
function parseArgsMessage(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? 'option';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) return `${flag} takes no value`;
    if (message.includes('ambiguous')) return `${flag} needs a value (write ${flag}=VALUE for a value starting with '-')`;
    return `${flag} needs a value`;
  }
  return message.split('\n')[0] ?? message;
}

function checkPositionals(given: readonly string[], names: readonly string[], optional: readonly string[]): void {
  if (given.length < names.length) throw new UsageError(`missing argument ${names[given.length]}`);
  const most = names.length + optional.length;
  if (given.length > most) throw new UsageError(`unexpected argument '${given[most]}'`);
}

function formatHelp(spec: CommandSpec<FlagSpecs>, flags: FlagSpecs): string {
  const rows = Object.entries(flags).map(([name, flag]) => {
    const short = flag.short ? `-${flag.short}, ` : '';
    const value = flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : '';
    const notes = [flag.required ? 'required' : '', flag.multiple ? 'repeatable' : '', flag.fallback ? `default: ${FALLBACK_ENV[flag.fallback]}, else the profile` : ''].filter(Boolean).join(', ');
    return [`${short}--${name}${value}`, notes ? `${flag.description} (${notes})` : flag.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  const options = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
  return `usage: herald ${spec.name} ${spec.synopsis}\n\n${spec.description.trim()}\n\noptions:\n${options}\n`;
}
