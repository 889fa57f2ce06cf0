import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorEvent, type ErrorCode } from '../protocol/index.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Admin errors use the same `error` envelope as the WebSocket protocol. */
export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, errorEvent(undefined, { code: err.code, message: err.message }, Date.now()));
}

/** Reads a JSON body, refusing anything over `limit` bytes before buffering it all. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'VALIDATION_ERROR', `request body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'VALIDATION_ERROR', `request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'VALIDATION_ERROR', 'request body is not valid JSON');
  }
}
