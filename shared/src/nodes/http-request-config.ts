import { z } from 'zod';

/** `okStatus`: "2xx", "200-299", "200,201", or a mix ("2xx,304"). */
export const OkStatus = z
  .string()
  .regex(
    /^\s*(\dxx|\d{3}(-\d{3})?)(\s*,\s*(\dxx|\d{3}(-\d{3})?))*\s*$/,
    'must look like "2xx", "200-299" or "200,201"',
  );

/** The config of `action.http` (and of `trigger.poll`'s `request`). */
export const HttpRequestConfig = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  headers: z.record(z.string(), z.string()).default({}),
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  body: z.unknown().optional(),
  bodyType: z.enum(['json', 'form', 'text']).default('json'),
  auth: z.strictObject({ connection: z.string().min(1) }).optional(),
  okStatus: OkStatus.default('2xx'),
});
export type HttpRequestConfig = z.infer<typeof HttpRequestConfig>;

/** True when `status` matches an okStatus pattern. */
export function statusIsOk(status: number, okStatus: string): boolean {
  return okStatus.split(',').some((part) => {
    const rule = part.trim();
    if (/^\dxx$/.test(rule)) return Math.floor(status / 100) === Number(rule[0]);
    const [low, high = low] = rule.split('-').map(Number);
    return low !== undefined && high !== undefined && status >= low && status <= high;
  });
}
