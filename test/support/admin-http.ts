/** One admin API call over real HTTP: JSON in and out, an optional bearer token. */
export interface AdminReply<B> {
  status: number;
  headers: Headers;
  /** The raw body, for assertions on what must not appear in it. */
  text: string;
  body: B | undefined;
}

export async function adminCall<B = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<AdminReply<B>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as B) : undefined };
}
