import { randomBytes } from 'node:crypto';
import { URI, type TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin-commands';
import { loadConfig } from '../../src/config/config';
import {
  connectionSecretContext,
  oidcLoginContext,
  variableSecretContext,
} from '../../src/crypto/contexts';
import { rotateEncryptionKey, SEALED_COLUMNS } from '../../src/crypto/rotate-keys';
import { createSecretBox, type SecretBox } from '../../src/crypto/secret-box';
import { newId } from '../../src/db/ids';
import { withOrgContext, withSystemContext } from '../../src/db/org-context';
import { createMetrics } from '../../src/observability/metrics';
import { buildServer } from '../../src/server';
import { createTestApp, signUpWithOrg, webhookWorkflow, type TestApp } from '../support/test-app';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const KEY_C = randomBytes(32).toString('base64');
const PASSWORD = 'correct horse battery';

let t: TestApp;
let owner: Awaited<ReturnType<typeof signUpWithOrg>>;
let totp: TOTP;
const plaintexts = new Map<string, string>(); // `${table}:${key}` → what was sealed

const configWith = (key: string, oldKeys?: string) =>
  loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: t.db.url,
    MAESTRO_ENCRYPTION_KEY: key,
    ...(oldKeys ? { MAESTRO_ENCRYPTION_OLD_KEYS: oldKeys } : {}),
    MAESTRO_LOG_LEVEL: 'warn',
  });
const boxOf = (key: string, oldKeys?: string) => {
  const config = configWith(key, oldKeys);
  return { box: createSecretBox(config.encryptionKeys, config.encryptionKeyId), config };
};

/** Every sealed value in the database, opened with `box` (throws if one does not open). */
async function openAll(box: SecretBox) {
  const opened = new Map<string, string>();
  for (const col of SEALED_COLUMNS) {
    const cols = [col.key, ...(col.reads ?? []), col.column].map((c) => `"${c}"`).join(', ');
    const rows = await withSystemContext(t.db.orm, (em) =>
      em.execute<Record<string, string>[]>(
        `select ${cols} from "${col.table}" where "${col.column}" is not null${col.where ? ` and ${col.where}` : ''}`,
      ),
    );
    for (const row of rows)
      opened.set(`${col.table}:${row[col.key]}`, box.open(row[col.column]!, col.context(row)));
  }
  return opened;
}

const keyIdsIn = async () =>
  withSystemContext(t.db.orm, async (em) => {
    const ids = new Set<string>();
    for (const col of SEALED_COLUMNS) {
      const rows = await em.execute<{ k: string }[]>(
        `select distinct split_part("${col.column}", '.', 2) as k from "${col.table}" where "${col.column}" is not null${col.where ? ` and ${col.where}` : ''}`,
      );
      for (const r of rows) ids.add(r.k);
    }
    return ids;
  });

beforeAll(async () => {
  t = await createTestApp({
    MAESTRO_ENCRYPTION_KEY: KEY_A,
    MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  });
  owner = await signUpWithOrg(t.app, 'owner');
  const box = t.app.secretBox;

  // Through the API, sealed with key A: a connection, a webhook HMAC secret, a TOTP secret.
  const connection = await t.app.inject({
    method: 'POST',
    url: '/v1/connections',
    headers: owner.headers,
    payload: { name: 'crm', secrets: { token: 'crm-token-1' } },
  });
  expect(connection.statusCode).toBe(201);
  plaintexts.set(`connections:${connection.json().id}`, JSON.stringify({ token: 'crm-token-1' }));
  const wf = await t.app.inject({
    method: 'POST',
    url: '/v1/workflows',
    headers: owner.headers,
    payload: { definition: webhookWorkflow() },
  });
  const hmac = await t.app.inject({
    method: 'POST',
    url: `/v1/workflows/${wf.json().id}/webhook-secret`,
    headers: owner.headers,
  });
  expect(hmac.statusCode).toBe(201);
  const [trigger] = await withOrgContext(t.db.orm, owner.orgId, (em) =>
    em.execute<{ id: string }[]>(`select id from triggers where workflow_id = ?`, [wf.json().id]),
  );
  plaintexts.set(`triggers:${trigger!.id}`, hmac.json().secret);
  const bearer = { authorization: `Bearer ${owner.accessToken}` };
  const enrol = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/enrol',
    headers: bearer,
    payload: { password: PASSWORD },
  });
  totp = URI.parse(enrol.json().otpauthUri) as TOTP;
  const confirm = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/2fa/confirm',
    headers: bearer,
    payload: { code: totp.generate() },
  });
  expect(confirm.statusCode).toBe(200);
  plaintexts.set(`user_totp:${owner.userId}`, enrol.json().secret);

  // Written directly with the box: a secret variable, an OIDC sign-in in flight, and enough
  // connections for several batches.
  await withOrgContext(t.db.orm, owner.orgId, async (em) => {
    const varId = newId();
    await em.execute(
      `insert into organization_variables (id, organization_id, key, value, secret) values (?, ?, 'API_TOKEN', ?, true), (?, ?, 'REGION', 'eu', false)`,
      [
        varId,
        owner.orgId,
        box.seal('var-secret', variableSecretContext(varId)),
        newId(),
        owner.orgId,
      ],
    );
    plaintexts.set(`organization_variables:${varId}`, 'var-secret');
    for (let i = 0; i < 250; i++) {
      const id = newId();
      const value = JSON.stringify({ token: `bulk-${i}` });
      await em.execute(
        `insert into connections (id, organization_id, name, kind, secret_enc) values (?, ?, ?, 'http', ?)`,
        [id, owner.orgId, `bulk ${i}`, box.seal(value, connectionSecretContext(id))],
      );
      plaintexts.set(`connections:${id}`, value);
    }
  });
  const loginId = newId();
  await withSystemContext(t.db.orm, (em) =>
    em.execute(
      `insert into oidc_logins (id, provider_id, state_hash, nonce, code_verifier_enc, redirect_uri, client_challenge, expires_at)
       values (?, 'test', ?, 'n', ?, 'http://127.0.0.1/cb', 'c', now() + interval '10 minutes')`,
      [
        loginId,
        randomBytes(16).toString('hex'),
        box.seal('pkce-verifier', oidcLoginContext(loginId)),
      ],
    ),
  );
  plaintexts.set(`oidc_logins:${loginId}`, 'pkce-verifier');
}, 120_000);
afterAll(() => t?.close());

describe('rotate-encryption-key', () => {
  it('lists every sealed column of the schema (entities and raw-SQL tables alike)', async () => {
    const sealed = new Set(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`));
    // The migrated database's own catalogue: tables without a MikroORM entity count too.
    const rows = await withSystemContext(t.db.orm, (em) =>
      em.execute<{ name: string }[]>(
        `select table_name || '.' || column_name as name from information_schema.columns
          where table_schema = current_schema() and column_name like '%\\_enc' escape '\\'`,
      ),
    );
    const encColumns = rows.map((row) => row.name);
    expect(encColumns.length).toBeGreaterThanOrEqual(5);
    for (const column of encColumns) expect(sealed).toContain(column);
  });

  it('re-seals everything with the new key, resumes after an interruption, and the old key can go', async () => {
    expect(await openAll(boxOf(KEY_A).box)).toEqual(plaintexts);
    const { box: boxBA, config: configBA } = boxOf(KEY_B, KEY_A);

    // Interrupted after the first batch of connections.
    await expect(
      rotateEncryptionKey(t.db.orm, boxBA, configBA.encryptionKeyId, {
        batchSize: 100,
        onProgress: (r) => {
          if (r.table === 'connections' && r.rotated >= 100) throw new Error('power cut');
        },
      }),
    ).rejects.toThrow('power cut');
    expect(await keyIdsIn()).toEqual(
      new Set([configWith(KEY_A).encryptionKeyId, configBA.encryptionKeyId]),
    );

    // A value sealed with a key nobody configured is reported and left alone.
    const strayId = newId();
    const stray = createSecretBox(
      configWith(KEY_C).encryptionKeys,
      configWith(KEY_C).encryptionKeyId,
    ).seal('{}', connectionSecretContext(strayId));
    await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(
        `insert into connections (id, organization_id, name, kind, secret_enc) values (?, ?, 'stray', 'http', ?)`,
        [strayId, owner.orgId, stray],
      ),
    );

    // The command (as the bin runs it): resumes, reports counts, fails because of the stray row.
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const env = { MAESTRO_ENCRYPTION_KEY: KEY_B, MAESTRO_ENCRYPTION_OLD_KEYS: KEY_A };
    expect(await runAdminCommand('rotate-encryption-key', [], configBA, env, io)).toBe(1);
    expect(out).toContain(
      'connections.secret_enc: 151 re-sealed, 1 failed, 251 on the current key',
    );
    expect(out).toContain('triggers.hmac_secret_enc: 1 re-sealed, 0 failed, 1 on the current key');
    expect(out).toContain('user_totp.secret_enc: 1 re-sealed, 0 failed, 1 on the current key');
    expect(out).toContain(
      'organization_variables.value: 1 re-sealed, 0 failed, 1 on the current key',
    );
    expect(out).toContain(
      'oidc_logins.code_verifier_enc: 1 re-sealed, 0 failed, 1 on the current key',
    );
    expect(err.join('\n')).toContain(`cannot open connections ${strayId}`);
    const [strayAfter] = await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute<{ secret_enc: string }[]>(`select secret_enc from connections where id = ?`, [
        strayId,
      ]),
    );
    expect(strayAfter!.secret_enc).toBe(stray);
    await withOrgContext(t.db.orm, owner.orgId, (em) =>
      em.execute(`delete from connections where id = ?`, [strayId]),
    );

    // Idempotent: a second run finds nothing left to do.
    out.length = 0;
    expect(await runAdminCommand('rotate-encryption-key', [], configBA, env, io)).toBe(0);
    expect(out.filter((l) => / [1-9]\d* re-sealed/.test(l))).toEqual([]);

    // Key A removed: everything opens with key B alone, with the same plaintexts; A opens nothing.
    expect(await keyIdsIn()).toEqual(new Set([configBA.encryptionKeyId]));
    expect(await openAll(boxOf(KEY_B).box)).toEqual(plaintexts);
    await expect(openAll(boxOf(KEY_A).box)).rejects.toThrow(/not configured/);
  });

  it('a runner with only the new key signs in with the rotated TOTP secret', async () => {
    const app = await buildServer({
      config: configWith(KEY_B),
      orm: t.db.orm,
      logger: false,
      metrics: createMetrics(),
    });
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: {
          email: owner.email,
          password: PASSWORD,
          totp: totp.generate({ timestamp: Date.now() + 30_000 }),
        },
      });
      expect(login.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses to run without the new key in MAESTRO_ENCRYPTION_KEY', async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l) };
    expect(await runAdminCommand('rotate-encryption-key', [], configWith(KEY_B), {}, io)).toBe(2);
    expect(err[0]).toMatch(/MAESTRO_ENCRYPTION_KEY/);
  });
});
