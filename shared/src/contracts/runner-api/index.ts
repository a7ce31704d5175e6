/**
 * The runner's REST API v1 as both sides speak it (shared/spec/runner-api-v1.md): the runner
 * validates and documents its answers with these schemas (OpenAPI), the desktop parses them.
 * Responses only; request bodies and queries carry server policy and stay with the runner.
 */
export * from './problem';
export * from './auth';
export * from './organizations';
export * from './workflows';
export * from './executions';
export * from './oidc';
export * from './notifications';
export * from './connections';
export * from './two-factor';
export * from './workflow-slas';
export * from './event-subscriptions';
