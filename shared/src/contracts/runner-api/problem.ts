import { z } from 'zod';

/** One `{ path, message }` of a 400: the path in the spec's style (`definition.nodes[2].config.url`). */
export const ProblemIssue = z.object({ path: z.string(), message: z.string() });
export type ProblemIssue = z.infer<typeof ProblemIssue>;

/**
 * RFC 9457 problem details, the shape of every error answer (runner-api-v1.md "Conventions").
 * @example Problem.parse({ type: 'https://maestro.dev/problems/404', title: 'Not Found', status: 404, detail: 'workflow not found' })
 */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(ProblemIssue).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

/**
 * `type` of the 403 refusing an organization or platform administrator who has not turned on
 * two-factor authentication yet: clients offer the way out (enrolment) on this type, not on
 * the wording of `detail`.
 * @example problem.type === TWO_FACTOR_REQUIRED_TYPE
 */
export const TWO_FACTOR_REQUIRED_TYPE = 'https://maestro.dev/problems/two-factor-required';
