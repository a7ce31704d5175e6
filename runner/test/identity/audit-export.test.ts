import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrgContext } from '../../src/db/org-context';
import { CSV_COLUMNS } from '../../src/modules/audit/export-format';
import { createTestApp, signUp, signUpWithOrg, type TestApp } from '../support/test-app';

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
let other: Awaited<ReturnType<typeof signUpWithOrg>>;
let key: { id: string; key: string };
let connectorId: string;
// Attacker-controlled text that reaches the trail: a spreadsheet formula with a comma and quotes.
const EVIL_AGENT = '=HYPERLINK("http://evil.test","a,b")';
const exported = (query: string, headers: Record<string, string> = owner.headers) =>
  t.app.inject({ url: `/v1/audit-events/export?${query}`, headers });

beforeAll(async () => {
  t = await createTestApp();
  owner = await signUpWithOrg(t.app, 'owner');
  other = await signUpWithOrg(t.app, 'other');
  key = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: owner.headers,
      payload: { name: 'deploy', scopes: ['connectors:write'] },
    })
  ).json();
  connectorId = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: { authorization: `Bearer ${key.key}`, 'user-agent': EVIL_AGENT },
      payload: { name: 'crm', kind: 'http', config: {} },
    })
  ).json().id;
  await t.app.inject({
    method: 'POST',
    url: '/v1/connectors',
    headers: other.headers,
    payload: { name: 'theirs', kind: 'http', config: {} },
  });
});
afterAll(() => t?.close());

/** RFC 4180 reader (quoted cells with "" escapes, CRLF rows), for checking what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

describe('audit export', () => {
  it('CSV: a header row, one row per event of the organization, oldest first, formula cells defused', async () => {
    const res = await exported('format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual([...CSV_COLUMNS]);
    const records = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
    expect(records.map((r) => r.action)).toEqual([
      'organization.created',
      'api_key.created',
      'POST /v1/connectors',
    ]);
    expect(new Set(records.map((r) => r.organizationId))).toEqual(new Set([owner.orgId]));
    const connector = records[2]!;
    expect(connector).toMatchObject({
      actorApiKeyId: key.id,
      actorUserId: owner.userId,
      targetType: 'connectors',
      targetId: connectorId,
      userAgent: `'${EVIL_AGENT}`,
    });
    expect(JSON.parse(connector.details!)).toEqual({ status: 201, resultId: connectorId });
    // Raw text: the cell is quoted (comma, quotes) and starts with the defusing apostrophe.
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.test"",""a,b"")"`);
  });

  it('JSON: an array with the same events and fields as the list; NDJSON: one per line', async () => {
    const list = (await t.app.inject({ url: '/v1/audit-events', headers: owner.headers })).json();
    const json = await exported('format=json');
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.json()).toEqual([...list.items].reverse());
    expect(json.json()[2].userAgent).toBe(EVIL_AGENT); // JSON keeps the text as it was
    const ndjson = await exported('format=ndjson');
    const lines = ndjson.body.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(json.json());
  });

  it('filters by actor, action, target and time, the same way as the list', async () => {
    const actions = async (query: string) => {
      const res = await exported(`format=json&${query}`);
      expect(res.statusCode).toBe(200);
      const listed = (
        await t.app.inject({ url: `/v1/audit-events?${query}`, headers: owner.headers })
      ).json();
      const items = res.json() as { action: string }[];
      expect(items.map((e) => e.action)).toEqual(
        listed.items.map((e: { action: string }) => e.action).reverse(),
      );
      return items.map((e) => e.action);
    };
    expect(await actions(`actor=${key.id}`)).toEqual(['POST /v1/connectors']);
    expect(await actions(`actor=${owner.userId}`)).toHaveLength(3);
    expect(await actions('action=api_key.created')).toEqual(['api_key.created']);
    expect(await actions(`action=${encodeURIComponent('POST *')}`)).toEqual([
      'POST /v1/connectors',
    ]);
    expect(await actions(`target=${connectorId}`)).toEqual(['POST /v1/connectors']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await actions(`from=${encodeURIComponent(future)}`)).toEqual([]);
    expect(await actions(`to=${encodeURIComponent(future)}`)).toHaveLength(3);
    expect(await actions('from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z')).toEqual([]);
  });

  it('streams more events than one batch, in order, without another organization’s', async () => {
    await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(
        `insert into audit_events (id, organization_id, action, target_type, at)
         select (lpad(to_hex(extract(epoch from now())::bigint * 1000 + 60000 + g), 12, '0')
                 || '-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
                ?, 'bulk.event', 'test', now()
         from generate_series(1, 1234) g`,
        [owner.orgId],
      ),
    );
    const res = await exported('format=csv&action=bulk.event');
    const rows = parseCsv(res.body).slice(1);
    expect(rows).toHaveLength(1234);
    const ids = rows.map((r) => r[0]!);
    expect(ids).toEqual([...ids].sort());
    const all = parseCsv((await exported('format=csv')).body).slice(1);
    expect(all).toHaveLength(1234 + 3);
    expect(all.some((r) => r.includes(other.orgId))).toBe(false);
  });

  it('is for owners and admins only, and rejects bad filters with problem+json', async () => {
    const member = await signUp(t.app, 'member');
    await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/${owner.orgId}/users`,
      headers: owner.headers,
      payload: { email: member.email, role: 'member' },
    });
    const memberHeaders = {
      authorization: `Bearer ${member.accessToken}`,
      'x-organization-id': owner.orgId,
    };
    expect((await exported('format=csv', memberHeaders)).statusCode).toBe(403);
    expect((await exported('format=csv', { authorization: `Bearer ${key.key}` })).statusCode).toBe(
      403,
    );
    const bad = await exported('format=xml&from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['query.format', 'query.from']);
  });
});
