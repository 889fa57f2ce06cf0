import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { addressRefusal, literalHostRefusal } from './address-policy.js';

/** A refused destination: raised before any connection to it is opened. */
export class DestinationRefused extends Error {
  constructor(url: URL, why: string) {
    super(
      `refused to fetch ${url.origin}: ${why}; connectors reach only public addresses ` +
        '(set SMOOTH_AGENT_CONNECTORS_ALLOW_PRIVATE=1 to allow private networks)',
    );
    this.name = 'DestinationRefused';
  }
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * The address check sits in the socket's own DNS lookup, so the address judged is the address
 * connected to: a name that resolves to a private address (or re-resolves to one later) is refused
 * before a connection opens. Every resolved address must pass, not just the first.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const refused = addresses.map((a) => addressRefusal(a.address)).find((why) => why !== undefined);
    if (refused !== undefined || addresses.length === 0) {
      const error = Object.assign(new Error(`${hostname} resolves to ${refused ?? 'nothing'}`), { code: 'EREFUSED_PRIVATE' });
      return callback(error, '', 0);
    }
    if ((options as LookupOptions).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const status = res.statusCode ?? 502;
  if (NULL_BODY_STATUS.has(status)) {
    res.resume();
    return new Response(null, { status, headers });
  }
  return new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, headers });
}

/**
 * A `fetch` for connectors: GET only, no redirects followed (the caller follows them hop by hop),
 * and no connection to a loopback, private, link-local or metadata address — checked on the IP
 * literal before anything is sent, and on every resolved address of a name inside the socket's lookup.
 */
export const publicOnlyFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DestinationRefused(url, `the ${url.protocol} scheme is not fetched`);
  const literal = literalHostRefusal(url.hostname);
  if (literal !== undefined) throw new DestinationRefused(url, literal);
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, lookup: guardedLookup, ...(init?.signal ? { signal: init.signal } : {}) }, (res) =>
      resolve(toResponse(res)),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EREFUSED_PRIVATE' ? new DestinationRefused(url, err.message) : err);
    });
    req.end();
  });
};
