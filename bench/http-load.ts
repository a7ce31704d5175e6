/**
 * A minimal HTTP/1.1 load generator for the runner bench: `connections`
 * keep-alive sockets on 127.0.0.1, each sending the next request as soon as
 * the previous reply is complete, until exactly `total` requests were sent.
 * Each request's latency is measured from its write to the last byte of its
 * reply. It exists because autocannon cost ≈0.5 ms of CPU per request — a
 * quarter of the 2 ms per-execution budget the bench measures against; this
 * one writes a prebuilt buffer and reads only the status line and
 * Content-Length (replies must carry one: chunked replies are refused).
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
  const body = Buffer.from(options.body);
  const head = [
    `${options.method} ${options.path} HTTP/1.1`,
    `host: ${host}:${options.port}`,
    `content-length: ${body.length}`,
    ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  const request = Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
  const statuses = new Map<number, number>();
  const latenciesMs: number[] = [];
  let sent = 0;
  let errors = 0;
  const started = performance.now();

  const drive = (socket: Socket) =>
    new Promise<void>((resolve) => {
      let buffered: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let waiting = false;
      const next = () => {
        if (sent >= options.total) {
          socket.end();
          return resolve();
        }
        sent++;
        waiting = true;
        sentAt = performance.now();
        socket.write(request);
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
          latenciesMs.push(performance.now() - sentAt);
          waiting = false;
          buffered = buffered.subarray(total);
          next();
        }
      });
      // A connection lost while a request was out costs that request (counted once).
      const lost = () => {
        if (waiting) errors++;
        waiting = false;
        resolve();
      };
      socket.on('error', lost);
      socket.on('close', lost);
      next();
    });

  const sockets = await Promise.all(
    Array.from(
      { length: Math.min(options.connections, options.total) },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host, port: options.port, noDelay: true }, () =>
            resolve(socket),
          );
          socket.once('error', reject);
        }),
    ),
  );
  await Promise.all(sockets.map(drive));
  return { statuses, latenciesMs, errors, seconds: (performance.now() - started) / 1000 };
}
