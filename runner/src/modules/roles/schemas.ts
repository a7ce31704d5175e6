import { z } from 'zod';
import { displayName } from '../../http/display-name';
import { PERMISSIONS } from '../../http/permissions';

export const RoleParams = z.object({ orgId: z.string(), roleId: z.string() });

export const RoleBody = z.strictObject({
  name: displayName(100),
  permissions: z
    .array(z.enum(PERMISSIONS))
    .max(PERMISSIONS.length)
    .describe('permissions from the same table the built-in roles use'),
});

export const RoleInfo = z
  .object({
    id: z.string().describe('the built-in role name, or the custom role id'),
    name: z.string(),
    builtIn: z.boolean(),
    permissions: z.array(z.string()),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Role' });
