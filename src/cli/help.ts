/** lockerctl's help texts: the overview, one group's commands, one command. Every line fits 80 columns. */
import { commandName, type CliCommand, type FlagSpec } from './command.js';
import { GLOBAL_FLAGS } from './parse.js';

export const WIDTH = 80;

/** The overview's groups, in order, with their headings. */
export const GROUPS: [group: string, heading: string][] = [
  ['locker', 'the locker'],
  ['technician', 'technician'],
  ['devices', 'devices'],
  ['simulator', 'simulator'],
  ['tools', 'no daemon needed'],
];

/** Exit statuses, as EXIT_STATUS in src/control/protocol.ts gives them, plus the self-test's own. */
export const EXIT_STATUS_HELP = '0 done, 1 refused by the locker, 2 self-test failed, 64 usage error, 65 no such compartment or parcel, 69 lockerd unreachable (or a part it needs is off), 70 fault in lockerd, 77 permission denied, 78 unusable config';

/** Words wrapped to `width`, every line after the first indented by `indent` spaces. */
export function wrap(text: string, width = WIDTH, indent = 0, firstIndent = 0): string {
  return hanging(' '.repeat(firstIndent), text, indent, width);
}

/** `prefix` (kept as it is) then the words of `text` (or the given unbreakable pieces), wrapped; continuation lines indented by `indent`. */
function hanging(prefix: string, text: string | string[], indent: number, width = WIDTH): string {
  const lines: string[] = [];
  let line = prefix;
  let fresh = true;
  for (const word of typeof text === 'string' ? text.split(/\s+/).filter(Boolean) : text) {
    if (!fresh && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else {
      line += (fresh || line.endsWith(' ') ? '' : ' ') + word;
    }
    fresh = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** A two-column list: `left` padded, `right` wrapped beside it (below it when `left` is too long). */
function columns(rows: [string, string][], indent = 2): string {
  const left = Math.min(24, Math.max(...rows.map(([l]) => l.length)));
  const at = indent + left + 2;
  return rows
    .map(([l, r]) => (l.length > left ? `${' '.repeat(indent)}${l}\n${wrap(r, WIDTH, at, at)}` : hanging(`${' '.repeat(indent)}${l.padEnd(left)}  `, r, at)))
    .join('\n');
}

function flagLabel(f: FlagSpec): string {
  return f.value ? `${f.name} ${f.arg ?? 'VALUE'}` : f.name;
}

export function overview(commands: readonly CliCommand[], version: string): string {
  const known = new Set(GROUPS.map(([g]) => g));
  const groups: [string, string][] = [...GROUPS, ...[...new Set(commands.map((c) => c.group ?? 'other'))].filter((g) => !known.has(g)).map((g): [string, string] => [g, g])];
  const label = Math.max(...groups.map(([, h]) => h.length)) + 1;
  const lines = groups
    .map(([g, heading]) => [heading, commands.filter((c) => (c.group ?? 'other') === g).map(commandName)] as const)
    .filter(([, names]) => names.length > 0)
    .map(([heading, names]) => hanging(`${`${heading}:`.padEnd(label)}  `, names.map((n, i) => (i < names.length - 1 ? `${n},` : n)), label + 2));
  return `lockerctl ${version}: the technician's tool for a running lockerd

usage: lockerctl [--json] [--socket PATH | --config FILE] COMMAND [ARGS]

${lines.join('\n')}

options: --json (answers, streams and errors as JSON), --socket PATH,
  --config FILE (where the control socket is), --help, --version
${wrap(`exit status: ${EXIT_STATUS_HELP}`, WIDTH, 2)}

'lockerctl help COMMAND' or 'lockerctl COMMAND --help' explains one command;
docs/lockerctl.md has them all, the socket lookup and bash completion.
`;
}

/** `lockerctl sim --help`: the group's commands and what each does. */
export function groupHelp(words: readonly string[], commands: readonly CliCommand[]): string {
  const members = commands.filter((c) => words.every((w, i) => c.words[i] === w));
  return `usage: lockerctl ${words.join(' ')} ${[...new Set(members.map((c) => c.words[words.length]!))].join('|')} ...

${columns(members.map((c) => [commandName(c), c.summary]))}

'lockerctl ${words.join(' ')} SUBCOMMAND --help' explains one.
`;
}

/** `lockerctl parcels --help`: usage, what it does, its options, examples, related commands. */
export function commandHelp(command: CliCommand, commands: readonly CliCommand[]): string {
  const related = commands.filter((c) => c !== command && c.words.length === command.words.length + 1 && command.words.every((w, i) => c.words[i] === w)).map((c) => `lockerctl ${commandName(c)}`);
  const options = (command.flags ?? []).map((f): [string, string] => [flagLabel(f), f.help ?? '']);
  const examples = command.examples ?? [command.usage];
  const sections = [
    wrap(`usage: lockerctl ${command.usage}`, WIDTH, 6),
    wrap(command.description ?? command.summary),
    ...(options.length ? [`options:\n${columns(options)}`] : []),
    wrap(`global options: ${GLOBAL_FLAGS.map(flagLabel).join(', ')} (see 'lockerctl --help')`, WIDTH, 2),
    `${examples.length > 1 ? 'examples' : 'example'}:\n${examples.map((e) => wrap(`lockerctl ${e}`, WIDTH, 4, 2)).join('\n')}`,
    ...(related.length ? [wrap(`see also: ${related.join(', ')}`, WIDTH, 2)] : []),
  ];
  return `${sections.join('\n\n')}\n`;
}
