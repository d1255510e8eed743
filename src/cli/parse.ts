/**
 * lockerctl's command line, parsed by node:util parseArgs in strict mode: the command's words
 * first, then its options checked against that command's own list. Every refusal is one
 * UsageError sentence naming what is wrong (and the command whose help to read).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commandName, UsageError, type CliCommand, type FlagSpec, type Flags } from './command.js';
import { closest, editDistance, MAX_SUGGESTION_DISTANCE } from './suggest.js';

/** Options every command takes. */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: '--json', value: false, help: 'answers, streams and errors as JSON' },
  { name: '--socket', value: true, arg: 'PATH', help: 'the control socket', complete: 'file' },
  { name: '--config', value: true, arg: 'FILE', help: 'take the socket path from this lockerd config', complete: 'file' },
  { name: '--help', value: false, help: 'this help' },
  { name: '--version', value: false, help: "lockerctl's version" },
];

export interface ParsedCommandLine {
  flags: Flags;
  /** The command to run, or (with `help`) the one whose help to show. */
  command?: CliCommand;
  /** The words after the command's own. */
  rest: string[];
  /** Show help: the command's, else the group's (`helpGroup`), else the overview. */
  help: boolean;
  /** With `help` and no command: the group's words, e.g. ['sim']. */
  helpGroup?: string[];
  version: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

function optionsOf(specs: readonly FlagSpec[]): Options {
  const options: Options = {};
  for (const f of specs) options[f.name.replace(/^--/, '')] = { type: f.value ? 'string' : 'boolean', ...(f.name === '--help' ? { short: 'h' } : {}) };
  return options;
}

/** Every option any command knows: enough to tell option values from command words. */
function allFlags(commands: readonly CliCommand[]): FlagSpec[] {
  const byName = new Map<string, FlagSpec>();
  for (const f of [...GLOBAL_FLAGS, ...commands.flatMap((c) => c.flags ?? [])]) {
    const seen = byName.get(f.name);
    // Both parsing passes must split the words the same way.
    if (seen && seen.value !== f.value) throw new Error(`lockerctl option ${f.name} is a switch in one command and takes a value in another`);
    byName.set(f.name, f);
  }
  return [...byName.values()];
}

const startsWith = (words: readonly string[], prefix: readonly string[]): boolean => prefix.every((w, i) => words[i] === w);

/** A word quoted back in a message only if it looks like a command word (a mistyped code is not repeated). */
function shown(words: readonly string[]): string {
  const text = words.join(' ');
  return /^[a-z][a-z0-9 -]{0,40}$/i.test(text) ? `'${text}'` : `(${text.length} characters that are not a command word)`;
}

function usageError(message: string, helpFor: string): UsageError {
  const e = new UsageError(message);
  e.command = helpFor;
  return e;
}

/** The words that start several commands but are no command themselves: 'sim', 'lock', ... */
export function groupOf(positional: readonly string[], commands: readonly CliCommand[]): string[] | undefined {
  for (let n = Math.min(positional.length, 3); n >= 1; n--) {
    const prefix = positional.slice(0, n);
    if (commands.some((c) => c.words.length > n && startsWith(c.words, prefix))) return prefix;
  }
  return undefined;
}

/** Finds the command whose words start the positional arguments (the longest match wins). */
export function findCommand(positional: readonly string[], commands: readonly CliCommand[]): { command: CliCommand; rest: string[] } {
  const command = commands.filter((c) => startsWith(positional, c.words)).sort((a, b) => b.words.length - a.words.length)[0];
  if (command) {
    // 'parcels shwo ID' is a near miss of 'parcels show', not 'parcels' with two arguments.
    const next = positional[command.words.length];
    const longer = commands.filter((c) => c.words.length === command.words.length + 1 && startsWith(c.words, command.words)).map((c) => c.words.at(-1)!);
    const near = next === undefined ? undefined : closest(next, longer);
    if (near) throw usageError(`unknown command ${shown(positional.slice(0, command.words.length + 1))}; did you mean '${[...command.words, near].join(' ')}'?`, commandName(command));
    return { command, rest: positional.slice(command.words.length) };
  }
  if (positional.length === 0) throw usageError('no command given', '');
  const group = groupOf(positional, commands);
  if (group && positional.length === group.length) {
    const subs = [...new Set(commands.filter((c) => startsWith(c.words, group)).map((c) => c.words[group.length]!))];
    throw usageError(`'${group.join(' ')}' needs one of: ${subs.join(', ')}`, group.join(' '));
  }
  // The closest command (or first word: 'lok' is near 'lock') of as many words as it has.
  const names = new Set([...commands.map(commandName), ...commands.map((c) => c.words[0]!)]);
  let best: { name: string; words: number; distance: number } | undefined;
  for (const name of names) {
    const words = name.split(' ').length;
    if (positional.length < words) continue;
    const distance = editDistance(positional.slice(0, words).join(' '), name);
    if (distance === 0 || distance > MAX_SUGGESTION_DISTANCE) continue;
    if (!best || distance < best.distance || (distance === best.distance && words > best.words)) best = { name, words, distance };
  }
  const typed = positional.slice(0, best?.words ?? (group ? group.length + 1 : 1));
  throw usageError(`unknown command ${shown(typed)}${best ? `; did you mean '${best.name}'?` : ''}`, group ? group.join(' ') : '');
}

/** The first option token the command cannot take, as a sentence. */
function describeBadOption(tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>, own: readonly FlagSpec[], all: readonly FlagSpec[], name: string): string | undefined {
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = own.find((f) => f.name === t.rawName || (t.rawName === '-h' && f.name === '--help'));
    if (!spec) {
      if (all.some((f) => f.name === t.rawName)) return `option ${t.rawName} does not apply to '${name}'`;
      const near = closest(t.rawName, own.map((f) => f.name));
      return `unknown option ${t.rawName.length <= 40 ? t.rawName : `(${t.rawName.length} characters)`}${near ? `; did you mean ${near}?` : ''}`;
    }
    if (!spec.value && t.inlineValue) return `${t.rawName} takes no value: give ${t.rawName} alone, or leave it out`;
    if (spec.value && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) {
      const example = `${t.rawName} ${spec.arg ?? 'VALUE'}`;
      return t.value === undefined ? `${t.rawName} needs a value, e.g. ${example}` : `${t.rawName} needs a value, e.g. ${example} (for one starting with "-" write ${t.rawName}=...)`;
    }
  }
  return undefined;
}

function strictParse(argv: readonly string[], own: readonly FlagSpec[], all: readonly FlagSpec[], name: string, command?: CliCommand): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: [...argv], options: optionsOf(own), strict: true, allowPositionals: true });
  } catch (e) {
    const loose = parseArgs({ args: [...argv], options: optionsOf(all), strict: false, allowPositionals: true, tokens: true });
    const why = describeBadOption(loose.tokens ?? [], own, all, name || 'lockerctl') ?? String((e as Error).message).split('\n')[0]!;
    throw usageError(why, command ? commandName(command) : '');
  }
}

/**
 * `--after -3` as `--after=-3`: parseArgs takes any word with a leading dash for an option, but a
 * negative number never is one here, and the option's own check says better what is wrong with it.
 */
function negativeValuesJoined(argv: readonly string[], all: readonly FlagSpec[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    if (next !== undefined && /^-\d/.test(next) && all.some((f) => f.value && f.name === a)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

export function parseCommandLine(rawArgv: readonly string[], commands: readonly CliCommand[]): ParsedCommandLine {
  const all = allFlags(commands);
  const argv = negativeValuesJoined(rawArgv, all);
  // First pass, lenient: which words are the command's (an option's value is not one).
  const loose = parseArgs({ args: [...argv], options: optionsOf(all), strict: false, allowPositionals: true, tokens: true });
  const version = loose.values.version === true;
  let positional = loose.positionals;
  let help = loose.values.help === true;
  if (positional[0] === 'help') {
    help = true;
    positional = positional.slice(1);
  }
  const looseFlags = (): Flags => Object.fromEntries(Object.entries(loose.values).filter(([k]) => GLOBAL_FLAGS.some((g) => g.name === `--${k}`)).map(([k, v]) => [`--${k}`, typeof v === 'string' ? v : true]));
  if (help || version || positional.length === 0) {
    if (positional.length === 0) {
      // `lockerctl --socket`: still a refusal, not the overview.
      if (!help && !version) strictParse(argv, GLOBAL_FLAGS, all, '');
      return { flags: looseFlags(), rest: [], help: !version, version };
    }
    const matched = commands.filter((c) => startsWith(positional, c.words)).sort((a, b) => b.words.length - a.words.length)[0];
    const group = groupOf(positional, commands);
    if (group && (!matched || group.length > matched.words.length) && positional.length === group.length) return { flags: looseFlags(), rest: [], help: true, helpGroup: group, version };
    const { command, rest } = findCommand(positional, commands);
    return { flags: looseFlags(), command, rest, help, version };
  }
  const { command } = findCommand(positional, commands);
  const strict = strictParse(argv, [...GLOBAL_FLAGS, ...(command.flags ?? [])], all, commandName(command), command);
  const flags: Flags = {};
  for (const [k, v] of Object.entries(strict.values)) if (v !== undefined && v !== false) flags[`--${k}`] = typeof v === 'string' ? v : true;
  return { flags, command, rest: strict.positionals.slice(command.words.length), help: false, version: false };
}
