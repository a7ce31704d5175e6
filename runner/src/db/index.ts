export * from './entities';
export { newId } from './ids';
export { migrateDatabase, type MigrateResult } from './migrate';
export { withOrgContext, withSystemContext } from './org-context';
export { APP_ROLE, openOrm, ormOptions, type OrgFilterArgs, type OrmOptionsInput } from './orm';
