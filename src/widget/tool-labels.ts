/** Tool steps read as what happened, not as identifiers: `knowledge_search` → "Searched the help center". */
const KNOWN: Readonly<Record<string, string>> = {
  knowledge_search: 'Searched the help center',
  request_human: 'Asked for a person from the team',
};

export function toolLabel(name: string): string {
  const known = KNOWN[name];
  if (known) return known;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words === '' ? name : words.charAt(0).toUpperCase() + words.slice(1);
}
