/**
 * The public API of Maestro's engine: the workflow model, validation,
 * templates, node types and the scheduler. Pure TypeScript: hosts inject
 * every side effect through a StepHost.
 */

// ── Model ────────────────────────────────────────────────────────────────
/** Workflow document schemas and limits. @example Workflow.safeParse(doc).success */
export * from './model/workflow';
/** Run result schemas, statuses and error codes. @example RunResult.parse(JSON.parse(text)) */
export * from './model/run-result';
/** What a host gives the engine. @example const host: StepHost = { http, sandbox, secrets, clock, circuit } */
export type * from './engine/host';
/** Events emitted during a run. @example const onEvent = (e: EngineEvent) => e.type === 'log' && print(e.message) */
export type * from './engine/events';

// ── Runner API contract ──────────────────────────────────────────────────
/** The runner's REST API v1 answers, for the runner (OpenAPI) and its clients. @example RunnerApi.ExecutionList.parse(await res.json()) */
export * as RunnerApi from './contracts/runner-api';

// ── Errors ───────────────────────────────────────────────────────────────
/** The one error type steps fail with. @example throw new StepError('NETWORK', 'connection refused') */
export { StepError } from './engine/step-error';
/** Any thrown value as a StepError (INTERNAL when it is not one). @example toStepError(new Error('x')).code // 'INTERNAL' */
export { toStepError } from './engine/step-error';
/** Who is at fault for an error code. @example faultOf('VALIDATION') // 'user' */
export { faultOf } from './engine/step-error';
/** Types of StepError. @example const fault: ErrorFault = 'operational' */
export type { ErrorFault, StepErrorOptions } from './engine/step-error';

// ── Validation ───────────────────────────────────────────────────────────
/** Validates a document, every error at once. @example validateWorkflow(doc).ok */
export { validateWorkflow } from './validation/validate-workflow';
/** One error as `path: message`. @example formatValidationError({ path: 'nodes[2].config.url', message: 'required' }) */
export { formatValidationError } from './validation/validate-workflow';
/** Validation result types. @example const r: ValidationResult = validateWorkflow(doc) */
export type { ValidationResult, ValidationError } from './validation/validate-workflow';

// ── Running ──────────────────────────────────────────────────────────────
/** Compiles a validated workflow once for many runs. @example const prepared = prepareWorkflow(workflow) */
export { prepareWorkflow } from './engine/prepare';
/** Prepared workflow types. @example prepared.triggerTemplates.dedupeKey?.evaluate(output) */
export type {
  PreparedWorkflow,
  PreparedNode,
  PreparedEdge,
  TriggerTemplates,
} from './engine/prepare';
/** Runs a prepared workflow to its RunResult. @example await runWorkflow(prepared, { input, executionId, host }) */
export { runWorkflow } from './engine/run-workflow';
/** How a run is started. @example const options: RunOptions = { input: {}, executionId: 'x', host } */
export type { RunOptions } from './engine/run-options';

// ── Host parts ───────────────────────────────────────────────────────────
/** A circuit breaker per target host (one per host process). @example createCircuitBreaker({ failureThreshold: 5, coolDownMs: 30_000 }) */
export { createCircuitBreaker } from './engine/circuit-breaker';
/** Circuit breaker options. @example const o: CircuitBreakerOptions = { failureThreshold: 3 } */
export type { CircuitBreakerOptions } from './engine/circuit-breaker';
/** The real clock. @example createSystemClock().now() */
export { createSystemClock } from './engine/system-clock';
/** The product HttpClient on global fetch. @example createFetchHttpClient({ checkUrl: ssrfGuard }) */
export { createFetchHttpClient } from './host/fetch-http-client';
/** Options of the fetch HttpClient. @example const o: FetchHttpClientOptions = { maxRedirects: 3 } */
export type { FetchHttpClientOptions } from './host/fetch-http-client';
/** A SecretResolver over fixed connections. @example createStaticSecretResolver({ crm: { headers: { authorization: 'Bearer t' }, secrets: ['t'] } }) */
export { createStaticSecretResolver } from './host/static-secret-resolver';

// ── Redaction ────────────────────────────────────────────────────────────
/** Replaces secret values wherever they occur. @example createRedactor(['tok']).redactText('a tok') // 'a [redacted]' */
export { createRedactor } from './engine/redaction';
/** What a redacted value reads as. @example REDACTED // '[redacted]' */
export { REDACTED } from './engine/redaction';
/** The redactor type. @example const r: Redactor = createRedactor() */
export type { Redactor } from './engine/redaction';

// ── Templates ────────────────────────────────────────────────────────────
/** Compiles one string's templates. @example await compileTemplate('{{ 1 + 1 }}').evaluate(ctx) // 2 */
export { compileTemplate } from './expressions/template';
/** A template that does not parse (an EXPRESSION StepError). @example e instanceof TemplateParseError */
export { TemplateParseError } from './expressions/template';
/** A value as interpolated text. @example toText({ a: 1 }) // '{"a":1}' */
export { toText } from './expressions/template';
/** A compiled template. @example const t: CompiledTemplate = compileTemplate('{{ x }}') */
export type { CompiledTemplate } from './expressions/template';
/** Compiles templates at any depth of a JSON value. @example await compileConfigTree({ a: '{{ env.A }}' }).evaluate(ctx) */
export { compileConfigTree } from './expressions/config-tree';
/** Every template parse error in a JSON value, with its path. @example findTemplateErrors({ a: '{{ (' }) */
export { findTemplateErrors } from './expressions/config-tree';
/** A compiled JSON value. @example const c: ConfigEvaluator = compileConfigTree(config) */
export type { ConfigEvaluator } from './expressions/config-tree';
/** Live template preview for the desktop. @example await evaluateTemplatePreview('{{ trigger.a }}', { trigger: { a: 1 } }) */
export { evaluateTemplatePreview } from './expressions/preview';
/** A preview's answer. @example const p: TemplatePreview = { ok: true, value: 1 } */
export type { TemplatePreview } from './expressions/preview';
/** The expression context. @example const ctx: ExpressionContext = { trigger, steps: {}, env: {}, execution } */
export type { ExpressionContext } from './expressions/context';

// ── Node types ───────────────────────────────────────────────────────────
/** Every node type by its tag. @example nodeRegistry['action.http'].ports // ['out', 'error'] */
export { nodeRegistry } from './nodes/registry';
/** A node type's definition, or undefined. @example getNodeDefinition('transform')?.title */
export { getNodeDefinition } from './nodes/registry';
/** Whether a type is a trigger. @example isTriggerType('trigger.webhook') // true */
export { isTriggerType } from './nodes/registry';
/** Every node type tag. @example NODE_TYPES.length // 12 */
export { NODE_TYPES } from './nodes/registry';
/** A node type tag. @example const t: NodeType = 'csv.parse' */
export type { NodeType } from './nodes/registry';
/** Palette and inspector data for every node type. @example nodeCatalog.map((n) => n.type) */
export { nodeCatalog } from './nodes/catalog';
/** One catalog entry. @example const e: NodeCatalogEntry | undefined = nodeCatalog[0] */
export type { NodeCatalogEntry } from './nodes/catalog';
/** Node definition types. @example const d: NodeDefinition | undefined = getNodeDefinition('respond') */
export type {
  NodeDefinition,
  NodeCategory,
  NodeRunContext,
  NodeOutcome,
} from './nodes/node-definition';
/** Default code.js sandbox limits. @example DEFAULT_CODE_LIMITS.cpuMs // 1000 */
export { DEFAULT_CODE_LIMITS } from './nodes/code-js';
/** Whether a status matches okStatus. @example statusIsOk(201, '2xx') // true */
export { statusIsOk } from './nodes/http-request-config';
/** The action.http config schema (also trigger.poll's `request`). @example HttpRequestConfig.parse({ url: 'https://x' }) */
export { HttpRequestConfig } from './nodes/http-request-config';
/** Milliseconds from a Retry-After header. @example parseRetryAfter('2', Date.now()) // 2000 */
export { parseRetryAfter } from './nodes/retry-after';
