import { GROUP_TITLES, SETTINGS, type Setting, type SettingGroup } from '../config/settings-catalog.js';

const INDENT = '  ';
const WIDTH = 100;

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function entry(setting: Setting): string[] {
  const secret = setting.secret ? ' (secret)' : '';
  return [`${INDENT}${setting.name}  [default: ${setting.default}]${secret}`, ...wrap(setting.description, INDENT.repeat(3))];
}

/**
 * The settings section of `serve --help`, generated from the catalog so that the installed package
 * documents itself (docs/ is not shipped) and the help cannot miss a variable.
 */
export function settingsHelp(settings: readonly Setting[] = SETTINGS): string {
  const groups = new Map<SettingGroup, Setting[]>();
  for (const setting of settings) groups.set(setting.group, [...(groups.get(setting.group) ?? []), setting]);
  const out = ['', 'Settings (environment variables, read once at start-up; a bad value stops the boot with exit code 2):'];
  for (const [group, members] of groups) {
    out.push('', `${GROUP_TITLES[group]}:`);
    for (const setting of members) out.push(...entry(setting));
  }
  out.push(
    '',
    'Flags take 1/true/yes or 0/false/no. `smooth-operator config` prints the values in effect (secrets masked);',
    '`smooth-operator doctor` checks that storage, the backplane and the gateway can be reached.',
  );
  return `${out.join('\n')}\n`;
}
