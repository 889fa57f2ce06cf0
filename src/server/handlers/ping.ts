import { pong } from '../../protocol/index.js';
import type { Connection } from '../connection.js';

export async function ping(connection: Connection, requestId: string | undefined): Promise<void> {
  connection.send(pong(requestId, Date.now()));
}
