import { Migration } from '@mikro-orm/migrations';

/**
 * NOTIFY maestro_cache_invalidation (runner/src/cache/cache-invalidation.ts) whenever a row
 * that runner processes cache changes, so every process drops its copy at once: API keys
 * (revoked, expired, re-scoped, deleted), memberships (added, re-roled, removed), custom roles
 * (permissions changed: every membership of the organization) and organization variables.
 * Triggers rather than calls in the routes: every write path is covered, SQL by hand included,
 * and PostgreSQL sends the notification only when the transaction commits.
 */
export class Migration20261125073308_cache_invalidation extends Migration {
  override async up(): Promise<void> {
    this
      .addSql(`create or replace function maestro_notify_cache_invalidation() returns trigger language plpgsql as $$
declare
  r record;
  cache text;
  cache_key text;
begin
  if TG_OP = 'INSERT' then r := NEW; else r := OLD; end if;
  if TG_TABLE_NAME = 'api_keys' then
    cache := 'apiKeys';
    cache_key := r.hash;
  elsif TG_TABLE_NAME = 'memberships' then
    cache := 'memberships';
    cache_key := r.organization_id::text || ':' || r.user_id::text;
  elsif TG_TABLE_NAME = 'roles' then
    cache := 'memberships';
    cache_key := r.organization_id::text || ':';
  else
    cache := 'variables';
    cache_key := r.organization_id::text;
  end if;
  perform pg_notify('maestro_cache_invalidation', json_build_object('cache', cache, 'key', cache_key)::text);
  return null;
end $$;`);
    // Not on last_used_at: the API touches it once a minute per key in use.
    this.addSql(
      `create trigger "api_keys_cache_invalidation" after update of "revoked_at", "expires_at", "scopes" or delete on "api_keys" for each row execute function maestro_notify_cache_invalidation();`,
    );
    this.addSql(
      `create trigger "memberships_cache_invalidation" after insert or update or delete on "memberships" for each row execute function maestro_notify_cache_invalidation();`,
    );
    this.addSql(
      `create trigger "roles_cache_invalidation" after update or delete on "roles" for each row execute function maestro_notify_cache_invalidation();`,
    );
    this.addSql(
      `create trigger "organization_variables_cache_invalidation" after insert or update or delete on "organization_variables" for each row execute function maestro_notify_cache_invalidation();`,
    );
  }

  override async down(): Promise<void> {
    for (const table of ['api_keys', 'memberships', 'roles', 'organization_variables'])
      this.addSql(`drop trigger if exists "${table}_cache_invalidation" on "${table}";`);
    this.addSql(`drop function if exists maestro_notify_cache_invalidation();`);
  }
}
