import { z } from 'zod';

/** What travels on the executions queue: just enough to find and claim the execution. */
export const ExecutionMessage = z.object({
  executionId: z.string().min(1),
  organizationId: z.string().min(1),
});
export type ExecutionMessage = z.infer<typeof ExecutionMessage>;

/** Reads a delivered body (rabbitmq-client decodes JSON bodies; a Buffer or string is parsed here). */
export function parseExecutionMessage(body: unknown): ExecutionMessage | undefined {
  let value = body;
  try {
    if (Buffer.isBuffer(value)) value = JSON.parse(value.toString('utf8'));
    else if (typeof value === 'string') value = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = ExecutionMessage.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
