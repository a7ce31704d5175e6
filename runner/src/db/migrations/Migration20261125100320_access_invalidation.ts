import { Migration } from '@mikro-orm/migrations';

/**
 * The cache-invalidation NOTIFY (runner/src/cache/cache-invalidation.ts) for the two access
 * checks API processes cache beside credentials: a user's account status (disabled, platform
 * administrator: cache `accounts`, key the user id) and an organization's IP allowlists (cache
 * `ipAllowlists`, key the organization id). A disabled account or a narrowed allowlist is then
 * refused by every process on its next request, not when its copy expires. A function of its
 * own: the first one (Migration20261125073308_cache_invalidation) stays as it was applied.
 */
export class Migration20261125100320_access_invalidation extends Migration {
  override async up(): Promise<void> {
    this
      .addSql(`create or replace function maestro_notify_access_invalidation() returns trigger language plpgsql as $$
declare
  r record;
begin
  if TG_OP = 'INSERT' then r := NEW; else r := OLD; end if;
  perform pg_notify('maestro_cache_invalidation', json_build_object(
    'cache', case TG_TABLE_NAME when 'users' then 'accounts' else 'ipAllowlists' end,
    'key', r.id::text)::text);
  return null;
end $$;`);
    // Only the columns the caches hold: sign-ins, renames and plan changes do not fire.
    this.addSql(
      `create trigger "users_access_invalidation" after update of "disabled_at", "platform_admin" or delete on "users" for each row execute function maestro_notify_access_invalidation();`,
    );
    this.addSql(
      `create trigger "organizations_access_invalidation" after update of "api_ip_allowlist", "webhook_ip_allowlist" or delete on "organizations" for each row execute function maestro_notify_access_invalidation();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "users_access_invalidation" on "users";`);
    this.addSql(`drop trigger if exists "organizations_access_invalidation" on "organizations";`);
    this.addSql(`drop function if exists maestro_notify_access_invalidation();`);
  }
}
