import { InvalidArgumentError } from 'commander';

export function collectRepeated(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Document sets, users and groups: a blank one would be rejected by the server for every document. */
export function collectName(value: string, previous: string[] = []): string[] {
  const name = value.trim();
  if (name === '') throw new InvalidArgumentError('expected a non-empty name');
  return [...previous, name];
}

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

export function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL such as http://127.0.0.1:8787');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http(s) URL');
  return url.href;
}
