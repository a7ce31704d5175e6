/**
 * A minimal HTTP/1.1 load generator for the runner bench: `connections`
 * keep-alive sockets on 127.0.0.1 send exactly `total` requests. It exists
 * because autocannon cost ≈0.5 ms of CPU per request — a quarter of the 2 ms
 * per-execution budget the bench measures against; this one writes a prebuilt
 * buffer and reads only the status line and Content-Length (replies must carry
 * one: chunked replies are refused).
 *
 * Two modes:
 * - closed loop (no `ratePerSecond`): each socket sends its next request as soon
 *   as the previous reply is complete — the most the server can take with that
 *   many clients. Latency runs from the write to the last byte of the reply.
 * - open loop (`ratePerSecond`): request i is due at start + i / rate, whatever
 *   the server does; a due request goes out on the first idle socket. Latency
 *   runs from the time it was due, so a server that falls behind is charged for
 *   the queueing it caused (no coordinated omission). This is the latency a
 *   steady stream of webhook senders sees at that rate.
 */
import { connect, type Socket } from 'node:net';

export interface HttpLoadOptions {
  port: number;
  host?: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body: string;
  connections: number;
  total: number;
  /** Open loop at this many requests per second; closed loop when absent. */
  ratePerSecond?: number;
}

export interface HttpLoadResult {
  /** Replies by status code. */
  statuses: Map<number, number>;
  /** One entry per reply, in milliseconds, unsorted. */
  latenciesMs: number[];
  /** Requests whose connection failed before a reply. */
  errors: number;
  seconds: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const host = options.host ?? '127.0.0.1';
  const request = buildRequest(options, host);
  const statuses = new Map<number, number>();
  const latenciesMs: number[] = [];
  let errors = 0;
  const sockets = await Promise.all(
    Array.from({ length: Math.min(options.connections, options.total) }, () =>
      openSocket(host, options.port),
    ),
  );
  const started = performance.now();
  const rate = options.ratePerSecond;
  // Requests handed out so far; for the open loop, request i is due at started + i * interval.
  let issued = 0;
  const interval = rate ? 1000 / rate : 0;
  const dueAt = (i: number) => started + i * interval;
  const idle: Connection[] = [];
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let open = sockets.length;

  interface Connection {
    send(startedAt: number): void;
    close(): void;
  }

  /** Gives `connection` its next request, or parks it until one is due. */
  const dispatch = (connection: Connection) => {
    if (issued >= options.total) return connection.close();
    if (!rate) {
      issued++;
      return connection.send(performance.now());
    }
    const due = dueAt(issued);
    if (due > performance.now()) return void idle.push(connection);
    issued++;
    connection.send(due);
  };

  const wrap = (socket: Socket): Connection => {
    let buffered: Buffer = Buffer.alloc(0);
    let startedAt = 0;
    let waiting = false;
    let closed = false;
    const connection: Connection = {
      send(at) {
        startedAt = at;
        waiting = true;
        socket.write(request);
      },
      close() {
        if (closed) return;
        closed = true;
        socket.end();
        if (--open === 0) finished();
      },
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf(HEADER_END);
        if (end < 0) return;
        const header = buffered.subarray(0, end).toString('latin1');
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(header);
        if (!length?.[1]) {
          socket.destroy(new Error(`reply without Content-Length: ${header.split('\r\n')[0]}`));
          return;
        }
        const total = end + HEADER_END.length + Number(length[1]);
        if (buffered.length < total) return;
        const status = Number(header.slice(9, 12));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        latenciesMs.push(performance.now() - startedAt);
        waiting = false;
        buffered = buffered.subarray(total);
        dispatch(connection);
      }
    });
    // A connection lost while a request was out costs that request (counted once).
    const lost = () => {
      if (waiting) errors++;
      waiting = false;
      connection.close();
    };
    socket.on('error', lost);
    socket.on('close', lost);
    return connection;
  };

  // The open loop's clock: hands due requests to parked sockets. Timers fire
  // about every millisecond, so several requests may fall due per tick.
  const ticker = rate
    ? setInterval(() => {
        const now = performance.now();
        while (idle.length > 0 && issued < options.total && dueAt(issued) <= now) {
          idle.shift()!.send(dueAt(issued++));
        }
        if (issued >= options.total) for (const connection of idle.splice(0)) connection.close();
      }, 1)
    : undefined;
  for (const socket of sockets) dispatch(wrap(socket));
  await done;
  if (ticker) clearInterval(ticker);
  return { statuses, latenciesMs, errors, seconds: (performance.now() - started) / 1000 };
}

function buildRequest(options: HttpLoadOptions, host: string): Buffer {
  const body = Buffer.from(options.body);
  const head = [
    `${options.method} ${options.path} HTTP/1.1`,
    `host: ${host}:${options.port}`,
    `content-length: ${body.length}`,
    ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}
