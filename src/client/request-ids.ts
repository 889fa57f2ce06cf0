/**
 * Request ids only have to be unique among one client's requests (the server scopes them to the
 * socket), so a random prefix and a counter are enough. `crypto.randomUUID` is avoided on purpose:
 * browsers expose it only on secure origins, and an intranet page is often plain http.
 */
export function requestIdGenerator(): () => string {
  const prefix = Math.floor(Math.random() * 0xffffffff).toString(36);
  let counter = 0;
  return () => `c${prefix}-${(++counter).toString(36)}`;
}
