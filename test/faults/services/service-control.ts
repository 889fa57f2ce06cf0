import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Restarts of the machine's real services. Only the fault suite does this, one file at a time, after
 * every other test file (see vitest.config.ts); each helper waits until the service answers again.
 */
const run = promisify(execFile);

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come back within ${timeoutMs} ms`);
}

const succeeds = async (file: string, args: string[]) => {
  await run(file, args, { timeout: 5_000 });
  return true;
};

export const postgresUp = () => succeeds('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q']);
export const redisUp = async () => (await run('redis-cli', ['-h', '127.0.0.1', 'ping'], { timeout: 5_000 })).stdout.trim() === 'PONG';

async function natsPid(): Promise<number | undefined> {
  try {
    const { stdout } = await run('pgrep', ['-x', 'nats-server']);
    const pid = Number.parseInt(stdout.trim().split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function natsUp(): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(4222, '127.0.0.1');
    socket.setTimeout(1_000);
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('INFO'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** `pg_ctlcluster … restart`: a fast shutdown, so every open connection is cut. */
export async function restartPostgres(): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart'], { timeout: 60_000 });
  await until(postgresUp, 30_000, 'postgres');
}

export async function stopRedis(): Promise<void> {
  await run('redis-cli', ['-h', '127.0.0.1', 'shutdown', 'nosave'], { timeout: 10_000 }).catch(() => undefined);
  await until(async () => !(await redisUp().catch(() => false)), 10_000, 'redis shutdown');
}

export async function startRedis(): Promise<void> {
  if (await redisUp().catch(() => false)) return;
  await run(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'],
    { timeout: 10_000 },
  );
  await until(redisUp, 15_000, 'redis');
}

export async function stopNats(): Promise<void> {
  const pid = await natsPid();
  if (pid !== undefined) process.kill(pid, 'SIGTERM');
  await until(async () => !(await natsUp()), 10_000, 'nats shutdown');
}

export async function startNats(): Promise<void> {
  if (await natsUp()) return;
  await run(
    'start-stop-daemon',
    ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/nats-server', '--', '-a', '127.0.0.1', '-p', '4222', '-js', '-sd', '/var/lib/nats-server', '-l', '/var/log/nats-server.log'],
    { timeout: 10_000 },
  );
  await until(natsUp, 15_000, 'nats');
}

/** Whatever a test did, every service is up again when the file ends. */
export async function ensureServicesUp(): Promise<void> {
  await until(postgresUp, 30_000, 'postgres').catch(async () => {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'start'], { timeout: 60_000 }).catch(() => undefined);
    await until(postgresUp, 30_000, 'postgres');
  });
  await startRedis();
  await startNats();
}
