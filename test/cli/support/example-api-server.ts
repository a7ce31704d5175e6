import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received, body parsed when it is JSON. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface ExampleApiServer {
  /** `http://127.0.0.1:PORT`, what the examples' `{{ env.*_URL }}` point at. */
  url: string;
  requests: RecordedRequest[];
  /** Requests to one method and path, in arrival order. */
  received(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** The CSV that scenario B downloads: two active rows need trimming, one row is inactive. */
export const CUSTOMERS_CSV = [
  'email,name,country,total,active',
  ' Ada@Example.com ,Ada Lovelace,gb,1200.50,yes',
  'alan@example.com,Alan Turing,gb,800,no',
  'GRACE@example.com, Grace Hopper ,us,1530,yes',
  'linus@example.com,Linus Torvalds,fi,99.99,yes',
].join('\n');

type Handler = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A real HTTP server on 127.0.0.1 with every endpoint that the example
 * workflows call, so that tests run them as they are, through the network.
 */
export async function startExampleApiServer(): Promise<ExampleApiServer> {
  const requests: RecordedRequest[] = [];
  const flakyCalls = new Map<string, number>();
  const routes: [string, RegExp, Handler][] = [
    [
      'POST',
      /^\/contacts$/,
      (req, res) => send(res, 201, { id: 'c_1001', ...(req.body as object) }),
    ],
    ['POST', /^\/orders$/, (_req, res) => send(res, 201, { received: true })],
    [
      'POST',
      /^\/customers$/,
      (req, res) => send(res, 201, { id: `cus_${(req.body as { email: string }).email}` }),
    ],
    [
      'GET',
      /^\/exports\/customers\.csv$/,
      (_req, res) => send(res, 200, CUSTOMERS_CSV, 'text/csv'),
    ],
    ['POST', /^\/inventory\/reserve$/, reserveStock],
    ['POST', /^\/alerts$/, (_req, res) => send(res, 202, { queued: true })],
    ['GET', /^\/flaky\/[^/]+$/, (req, res) => flaky(req, res, flakyCalls)],
    ['GET', /^\/users\/[^/]+$/, getUser],
    ['GET', /^\/orders$/, listOrders],
    ['GET', /^\/tickets$/, listTickets],
    ['POST', /^\/chat\/messages$/, (_req, res) => send(res, 201, { ok: true })],
    ['POST', /^\/reports\/[^/]+$/, (_req, res) => send(res, 201, { stored: true })],
    // Answers after 20 s: for cancellation and progress tests (close() drops it).
    [
      'GET',
      /^\/slow$/,
      (_req, res) => void setTimeout(() => send(res, 200, { late: true }), 20_000).unref(),
    ],
  ];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await record(req);
    requests.push(recorded);
    const route = routes.find(
      ([method, path]) => method === recorded.method && path.test(recorded.path),
    );
    if (route) await route[2](recorded, res);
    else send(res, 404, { error: `no route ${recorded.method} ${recorded.path}` });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const isJson = (req.headers['content-type'] ?? '').includes('json');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body: isJson && text ? (JSON.parse(text) as unknown) : text,
  };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function reserveStock(req: RecordedRequest, res: ServerResponse): void {
  const lines = (req.body as { lines?: { sku: string }[] }).lines ?? [];
  const missing = lines.find((line) => line.sku === 'OUT-OF-STOCK');
  if (missing) send(res, 409, { error: `${missing.sku} is out of stock` });
  else send(res, 200, { reservationId: 'res_77' });
}

/** 503, then 429 with Retry-After: 1, then the report: exercises backoff and Retry-After. */
function flaky(req: RecordedRequest, res: ServerResponse, calls: Map<string, number>): void {
  const call = (calls.get(req.path) ?? 0) + 1;
  calls.set(req.path, call);
  if (call === 1) return send(res, 503, { error: 'warming up' });
  if (call === 2) {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: 'slow down' }));
    return;
  }
  send(res, 200, { period: req.query.period, revenue: 12345.67 });
}

/** Answers after a delay that shrinks with the id, so forEach elements finish out of order. */
async function getUser(req: RecordedRequest, res: ServerResponse): Promise<void> {
  const id = Number(req.path.split('/').at(-1));
  if (!Number.isInteger(id)) return send(res, 404, { error: 'no such user' });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 40 - id * 4)));
  send(res, 200, { id, name: `User ${id}`, email: `user${id}@example.com` });
}

function listOrders(req: RecordedRequest, res: ServerResponse): void {
  if (req.query.date) {
    return send(res, 200, {
      orders: [
        { id: 1, country: 'FR', total: 10.5 },
        { id: 2, country: 'DE', total: 20 },
        { id: 3, country: 'FR', total: 5.25 },
      ],
    });
  }
  send(res, 200, {
    orders: [
      { id: 1, total: 100 },
      { id: 2, total: 50.5 },
    ],
  });
}

function listTickets(req: RecordedRequest, res: ServerResponse): void {
  const tickets = [
    { id: 1, status: 'open', subject: 'Login loop' },
    { id: 2, status: 'closed', subject: 'Typo' },
    { id: 3, status: 'open', subject: 'Export fails' },
  ];
  send(res, 200, {
    tickets: req.query.status ? tickets.filter((t) => t.status === req.query.status) : tickets,
  });
}
