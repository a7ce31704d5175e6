import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN_ROUTES, ROUTES, type Expected, type Row } from './expectations';
import { fetchOpenApi, fillPath, routesOf } from './openapi-routes';
import { CALLERS, createWorld, type World } from './world';

/**
 * Issue #5 "Walls": every route of the OpenAPI document × every caller gets the class of
 * answer expectations.ts names (never a 403 across tenants, never a 500). One app, one
 * database; the OpenAPI document is read from the app, so a new route shows up here at once.
 */
let w: World;
let documented: string[];

beforeAll(async () => {
  w = await createWorld();
  documented = routesOf(await fetchOpenApi(w.app)).map((r) => r.key);
});
afterAll(() => w?.close());

const TABLE = 'runner/test/identity/route-matrix/expectations.ts';

describe('the route table', () => {
  it('has a row for every route of the OpenAPI document', () => {
    const missing = documented.filter((key) => !(key in ROUTES));
    expect(
      missing,
      `routes without a row: add each to ROUTES in ${TABLE} (key "METHOD /path" as in /v1/openapi.json) with the expected answer per caller:\n  ${missing.join('\n  ')}\n`,
    ).toEqual([]);
  });

  it('has no row for a route that no longer exists', () => {
    const stale = Object.keys(ROUTES).filter((key) => !documented.includes(key));
    expect(
      stale,
      `rows for routes the OpenAPI document no longer has: remove them from ${TABLE}`,
    ).toEqual([]);
  });

  it('lists hidden routes that exist (probes are not in the OpenAPI document)', () => {
    for (const key of Object.keys(HIDDEN_ROUTES)) {
      const [method, url] = key.split(' ') as [string, string];
      expect(w.app.hasRoute({ method: method as 'GET', url }), key).toBe(true);
      expect(documented, `${key} is documented: move its row to ROUTES`).not.toContain(key);
    }
  });

  it('never expects a 403 for another organization where the owner is let in (existence is not leaked)', () => {
    const leaky = Object.entries(ROUTES)
      .filter(([, row]) => row.expect.otherOrg === 403 && row.expect.owner === '2xx')
      .map(([key]) => key);
    expect(leaky).toEqual([]);
  });
});

const rows: [string, Row][] = [...Object.entries(ROUTES), ...Object.entries(HIDDEN_ROUTES)];
const cases = rows.flatMap(([key, row]) =>
  CALLERS.map((caller) => ({ key, caller, expected: row.expect[caller] })),
);

describe('route × caller', () => {
  it.each(cases)('$key as $caller → $expected', async ({ key, caller, expected }) => {
    const row = (ROUTES[key] ?? HIDDEN_ROUTES[key])!;
    const who = w.callers[caller];
    const [method, path] = key.split(' ') as [string, string];
    const request = (await row.request?.(w, who)) ?? {};
    const res = await w.app.inject({
      method: method as 'GET',
      url: fillPath(path, { orgId: w.orgA, ...request.params }),
      query: request.query,
      headers: { ...who.headers, ...request.headers },
      ...(request.body === undefined ? {} : { payload: request.body as object }),
    });
    await row.after?.(w, who, res);

    const detail = `${method} ${path} as ${caller}: ${res.statusCode} ${res.body.slice(0, 400)}`;
    expect(classOf(res.statusCode), detail).toBe(classOf(expected));
    if (res.statusCode >= 400) {
      expect(res.headers['content-type'], detail).toMatch(/^application\/problem\+json/);
      expect(res.json().status, detail).toBe(res.statusCode);
    }
    if (caller === 'otherOrg' && res.statusCode < 300) {
      const leaked = orgAIds().filter((id) => res.body.includes(id));
      expect(leaked, `org B's owner saw org A's ids in ${detail}`).toEqual([]);
    }
  });
});

function classOf(status: number | Expected): string {
  if (status === '2xx') return '2xx';
  return Number(status) >= 200 && Number(status) < 300 ? '2xx' : String(status);
}

function orgAIds(): string[] {
  const users = (['owner', 'admin', 'member', 'wrongOrg'] as const).map(
    (name) => w.callers[name].user!.userId,
  );
  return [w.orgA, ...Object.values(w.a), ...users];
}
