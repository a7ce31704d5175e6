import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125041238_initial } from './Migration20261125041238_initial';
import { Migration20261125050000_tenancy } from './Migration20261125050000_tenancy';
import { Migration20261125054831_identity } from './Migration20261125054831_identity';
import { Migration20261125055915_login_throttle } from './Migration20261125055915_login_throttle';
import { Migration20261125065929_audit_admin } from './Migration20261125065929_audit_admin';
import { Migration20261125065941_sharing_roles_invitations } from './Migration20261125065941_sharing_roles_invitations';
import { Migration20261125070036_limits } from './Migration20261125070036_limits';
import { Migration20261125070503_organization_variables } from './Migration20261125070503_organization_variables';
import { Migration20261125070843_oidc } from './Migration20261125070843_oidc';
import { Migration20261125073308_cache_invalidation } from './Migration20261125073308_cache_invalidation';
import { Migration20261125074137_claim_function } from './Migration20261125074137_claim_function';
import { Migration20261125085904_org_executions_index } from './Migration20261125085904_org_executions_index';
import { Migration20261125100320_access_invalidation } from './Migration20261125100320_access_invalidation';
import { Migration20261125101500_oidc_reauth } from './Migration20261125101500_oidc_reauth';
import { Migration20261125103000_failure_alerts } from './Migration20261125103000_failure_alerts';
import { Migration20261125110000_oauth2_connections } from './Migration20261125110000_oauth2_connections';
import { Migration20261125113000_connection_rate_limits } from './Migration20261125113000_connection_rate_limits';
import { Migration20261125120000_sla_alerts } from './Migration20261125120000_sla_alerts';
import { Migration20261125123000_notification_links } from './Migration20261125123000_notification_links';
import { Migration20261125130000_event_webhooks } from './Migration20261125130000_event_webhooks';
import { Migration20261125140000_running_executions_index } from './Migration20261125140000_running_executions_index';
import { Migration20261125141000_queue_tables_autovacuum } from './Migration20261125141000_queue_tables_autovacuum';

/** Listed explicitly (in order) so migrations load the same way under tsx, vitest and a bundle. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125041238_initial', class: Migration20261125041238_initial },
  { name: 'Migration20261125050000_tenancy', class: Migration20261125050000_tenancy },
  { name: 'Migration20261125054831_identity', class: Migration20261125054831_identity },
  {
    name: 'Migration20261125055915_login_throttle',
    class: Migration20261125055915_login_throttle,
  },
  { name: 'Migration20261125065929_audit_admin', class: Migration20261125065929_audit_admin },
  {
    name: 'Migration20261125065941_sharing_roles_invitations',
    class: Migration20261125065941_sharing_roles_invitations,
  },
  { name: 'Migration20261125070036_limits', class: Migration20261125070036_limits },
  {
    name: 'Migration20261125070503_organization_variables',
    class: Migration20261125070503_organization_variables,
  },
  { name: 'Migration20261125070843_oidc', class: Migration20261125070843_oidc },
  {
    name: 'Migration20261125073308_cache_invalidation',
    class: Migration20261125073308_cache_invalidation,
  },
  { name: 'Migration20261125074137_claim_function', class: Migration20261125074137_claim_function },
  {
    name: 'Migration20261125085904_org_executions_index',
    class: Migration20261125085904_org_executions_index,
  },
  {
    name: 'Migration20261125100320_access_invalidation',
    class: Migration20261125100320_access_invalidation,
  },
  { name: 'Migration20261125101500_oidc_reauth', class: Migration20261125101500_oidc_reauth },
  {
    name: 'Migration20261125103000_failure_alerts',
    class: Migration20261125103000_failure_alerts,
  },
  {
    name: 'Migration20261125110000_oauth2_connections',
    class: Migration20261125110000_oauth2_connections,
  },
  {
    name: 'Migration20261125113000_connection_rate_limits',
    class: Migration20261125113000_connection_rate_limits,
  },
  { name: 'Migration20261125120000_sla_alerts', class: Migration20261125120000_sla_alerts },
  {
    name: 'Migration20261125123000_notification_links',
    class: Migration20261125123000_notification_links,
  },
  { name: 'Migration20261125130000_event_webhooks', class: Migration20261125130000_event_webhooks },
  {
    name: 'Migration20261125140000_running_executions_index',
    class: Migration20261125140000_running_executions_index,
  },
  {
    name: 'Migration20261125141000_queue_tables_autovacuum',
    class: Migration20261125141000_queue_tables_autovacuum,
  },
];
