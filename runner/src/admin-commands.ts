import type { RunnerConfig } from './config/config';
import { createSecretBox } from './crypto/secret-box';
import { rotateEncryptionKey, type ColumnReport } from './crypto/rotate-keys';
import { openOrm } from './db/orm';
import { setPlatformAdmin } from './modules/admin/platform-admins';

export const ADMIN_COMMANDS = ['rotate-encryption-key', 'grant-admin', 'revoke-admin'] as const;
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];

export const ADMIN_USAGE = `       maestro-runner rotate-encryption-key                  re-seal stored secrets with MAESTRO_ENCRYPTION_KEY
                                                              (old keys in MAESTRO_ENCRYPTION_OLD_KEYS)
       maestro-runner grant-admin <email>                     make a user a platform administrator
       maestro-runner revoke-admin <email>                    take it back`;

interface Out {
  out(line: string): void;
  err(line: string): void;
}

const line = (r: ColumnReport) =>
  `${r.table}.${r.column}: ${r.skipped ? 'no such table, skipped' : `${r.rotated} re-sealed, ${r.failed} failed, ${r.current} on the current key`}`;

/** The operator commands beside `migrate`: each opens the database, does its work and returns an exit code. */
export async function runAdminCommand(
  command: AdminCommand,
  args: string[],
  config: RunnerConfig,
  env: NodeJS.ProcessEnv,
  io: Out = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<number> {
  if (command === 'rotate-encryption-key' && !env.MAESTRO_ENCRYPTION_KEY) {
    io.err(
      'set MAESTRO_ENCRYPTION_KEY to the new key and MAESTRO_ENCRYPTION_OLD_KEYS to the old ones',
    );
    return 2;
  }
  if (command !== 'rotate-encryption-key' && args.length !== 1) {
    io.err(`usage: maestro-runner ${command} <email>`);
    return 2;
  }
  const orm = await openOrm({ databaseUrl: config.databaseUrl, poolSize: 2 });
  try {
    if (command === 'rotate-encryption-key') {
      const box = createSecretBox(config.encryptionKeys, config.encryptionKeyId);
      io.out(`re-sealing stored secrets with key ${config.encryptionKeyId}`);
      const reports = await rotateEncryptionKey(orm, box, config.encryptionKeyId, {
        onProgress: (r) => io.out(`  … ${line(r)}`),
        onFailure: (f) => io.err(`  cannot open ${f.table} ${f.key}: ${f.error}`),
      });
      for (const r of reports) io.out(line(r));
      const failed = reports.reduce((n, r) => n + r.failed, 0);
      if (failed) {
        io.err(
          `${failed} secret(s) could not be opened with the configured keys: keep the old keys until they are fixed`,
        );
        return 1;
      }
      io.out(
        'done: every stored secret is sealed with the current key; the old keys can be removed',
      );
      return 0;
    }
    const email = args[0]!;
    const found = await setPlatformAdmin(orm, email, command === 'grant-admin');
    if (!found) {
      io.err(`no user with the email ${email}`);
      return 1;
    }
    io.out(
      command === 'grant-admin'
        ? `${email} is a platform administrator (two-factor authentication is required before the admin routes answer)`
        : `${email} is no longer a platform administrator`,
    );
    return 0;
  } finally {
    await orm.close(true);
  }
}
