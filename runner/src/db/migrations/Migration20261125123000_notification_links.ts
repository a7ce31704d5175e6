import { Migration } from '@mikro-orm/migrations';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * Notifications name what they are about: the workflow, execution and connection ids beside the
 * text, so that clients stop reading links out of the body. No foreign keys: a notification is
 * a record of what happened, its ids outlive a deleted workflow or a pruned execution (a client
 * gets 404 on them, as on the links in the text), and execution deletes stay free of a check.
 * Rows written before this migration get their ids from their text, where every writer put them
 * (links to /v1/workflows/{id}, /v1/executions/{id}, /v1/connections/{id}; a disabled workflow's
 * "last execution {id}"; a quota notice's "workflow {id}"), so clients need no text fallback.
 */
export class Migration20261125123000_notification_links extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "notifications"
      add column "workflow_id" uuid null,
      add column "execution_id" uuid null,
      add column "connection_id" uuid null;`);
    this.addSql(`update "notifications" set
      "workflow_id" = coalesce(
        substring("body" from '/v1/workflows/(${UUID})'),
        substring("body" from 'workflow (${UUID})'))::uuid,
      "execution_id" = coalesce(
        substring("body" from '/v1/executions/(${UUID})'),
        substring("body" from 'last execution (${UUID})'))::uuid,
      "connection_id" = substring("body" from '/v1/connections/(${UUID})')::uuid;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "notifications"
      drop column if exists "workflow_id",
      drop column if exists "execution_id",
      drop column if exists "connection_id";`);
  }
}
