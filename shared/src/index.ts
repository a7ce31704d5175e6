/**
 * The public API of Maestro's engine: the workflow model, validation,
 * templates, node types and the scheduler. Pure TypeScript: hosts inject
 * every side effect (StepHost).
 */

/** Workflow document schemas and limits. @example Workflow.safeParse(doc) */
export * from './model/workflow';
/** Run result schemas, statuses and error codes. @example RunResult.parse(json) */
export * from './model/run-result';
/** What a host gives the engine (HTTP, sandbox, secrets, clock, circuit). @example const host: StepHost = { http, sandbox, secrets, clock, circuit } */
export type * from './engine/host';
/** Events emitted during a run. @example onEvent: (e: EngineEvent) => e.type === 'log' && console.log(e.message) */
export type * from './engine/events';

/** The one error type steps fail with. @example new StepError('NETWORK', 'connection refused') */
export { StepError, toStepError, faultOf } from './engine/step-error';
export type { ErrorFault, StepErrorOptions } from './engine/step-error';

/** Validates a document, every error at once. @example validateWorkflow(doc).ok */
export { validateWorkflow, formatValidationError } from './validation/validate-workflow';
export type { ValidationResult, ValidationError } from './validation/validate-workflow';

/** Compiles a workflow once for many runs. @example const prepared = prepareWorkflow(workflow) */
export { prepareWorkflow } from './engine/prepare';
export type { PreparedWorkflow, PreparedNode } from './engine/prepare';

/** Runs a prepared workflow. @example await runWorkflow(prepared, { input, executionId, host }) */
export { runWorkflow } from './engine/run-workflow';
export type { RunOptions } from './engine/run-options';

/** Per-host circuit breaker (one per host process). @example createCircuitBreaker({ failureThreshold: 5 }) */
export { createCircuitBreaker } from './engine/circuit-breaker';
export type { CircuitBreakerOptions } from './engine/circuit-breaker';

/** The real clock. @example createSystemClock().now() */
export { createSystemClock } from './engine/system-clock';

/** Redaction of secret values. @example createRedactor(['tok']).redactText('a tok') // 'a [redacted]' */
export { createRedactor, REDACTED } from './engine/redaction';
export type { Redactor } from './engine/redaction';

/** The product HttpClient on global fetch. @example createFetchHttpClient({ checkUrl: guard }) */
export { createFetchHttpClient } from './host/fetch-http-client';
export type { FetchHttpClientOptions } from './host/fetch-http-client';

/** Templates: compile once, evaluate many times. @example await compileTemplate('{{ 1 + 1 }}').evaluate(ctx) // 2 */
export { compileTemplate, TemplateParseError, toText } from './expressions/template';
export type { CompiledTemplate } from './expressions/template';
/** Config trees with templates at any depth. @example await compileConfigTree({ a: '{{ env.A }}' }).evaluate(ctx) */
export { compileConfigTree, findTemplateErrors } from './expressions/config-tree';
export type { ConfigEvaluator } from './expressions/config-tree';
/** Live template preview for the desktop. @example await evaluateTemplatePreview('{{ trigger.a }}', { trigger: { a: 1 } }) */
export { evaluateTemplatePreview } from './expressions/preview';
export type { TemplatePreview } from './expressions/preview';
/** The expression context. @example const ctx: ExpressionContext = { trigger, steps: {}, env: {}, execution } */
export type { ExpressionContext } from './expressions/context';

/** Node types: registry and palette catalog. @example nodeCatalog.map((n) => n.type) */
export { nodeRegistry, getNodeDefinition, isTriggerType, NODE_TYPES } from './nodes/registry';
export type { NodeType } from './nodes/registry';
export { nodeCatalog } from './nodes/catalog';
export type { NodeCatalogEntry } from './nodes/catalog';
export type {
  NodeDefinition,
  NodeCategory,
  NodeRunContext,
  NodeOutcome,
} from './nodes/node-definition';
/** Default code.js sandbox limits. @example DEFAULT_CODE_LIMITS.cpuMs // 1000 */
export { DEFAULT_CODE_LIMITS } from './nodes/code-js';
/** okStatus matching and Retry-After parsing, shared with hosts. @example statusIsOk(201, '2xx') // true */
export { statusIsOk } from './nodes/http-request-config';
export { parseRetryAfter } from './nodes/retry-after';
