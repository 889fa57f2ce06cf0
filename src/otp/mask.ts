/** `jane.doe@example.com` → `j***@example.com`: enough for the owner to recognise, not to learn the address. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${[...address.slice(0, at)][0]}***${address.slice(at)}`;
}
