import type { z } from 'zod';
import type { StepHost } from '../engine/host';
import type { ExpressionContext } from '../expressions/context';

/** Palette groups in the desktop. */
export type NodeCategory = 'trigger' | 'action' | 'data' | 'logic' | 'flow';

/** What a node's run() gets: its evaluated, schema-checked config and the host's side effects. */
export interface NodeRunContext<Config> {
  stepId: string;
  config: Config;
  /** The live expression context (not redacted). Treat as read-only. */
  context: ExpressionContext;
  host: StepHost;
  /** Aborted on attempt timeout, run timeout or cancellation. */
  signal: AbortSignal;
  /** Values that must be redacted from results, events and errors from now on. */
  addSecrets(values: readonly string[]): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** A successful run: its output and the port it takes (default `out`). */
export interface NodeOutcome {
  output: unknown;
  port?: string;
}

/**
 * One node type. `config` is the strict schema of the EVALUATED config: the
 * validator accepts a whole-template string wherever this schema wants a
 * value (it is computed at run time and checked then, VALIDATION on failure).
 */
export interface NodeDefinition<Config = unknown> {
  type: string;
  title: string;
  description: string;
  category: NodeCategory;
  /** Output ports; the first is the success port. */
  ports: readonly string[];
  config: z.ZodType<Config>;
  /** Top-level config keys whose strings are not templates (`code`). */
  literalKeys?: readonly string[];
  /** Config keys the document must hold even though their value may be computed as missing. */
  requiredKeys?: readonly string[];
  /** False for nodes that do no I/O and cannot block (no per-attempt timer needed). */
  usesIo: boolean;
  /**
   * Secret values this config will use (Authorization headers, connection
   * secrets), known before the step is announced so that no event shows them.
   */
  resolveSecrets?(config: Config, host: StepHost, signal: AbortSignal): Promise<string[]>;
  run(context: NodeRunContext<Config>): Promise<NodeOutcome>;
}

/** Keeps the config type of a definition while erasing it for the registry. */
export function defineNode<Config>(definition: NodeDefinition<Config>): NodeDefinition<Config> {
  return definition;
}
