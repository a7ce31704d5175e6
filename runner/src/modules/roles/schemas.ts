import { z } from 'zod';
import { displayName } from '../../http/display-name';
import { PERMISSIONS } from '../../http/permissions';

// The answer the desktop reads is the shared contract.
export {
  Role as RoleInfo,
  RoleList,
} from '../../../../shared/src/contracts/runner-api/organizations';

export const RoleParams = z.object({ orgId: z.string(), roleId: z.string() });

export const RoleBody = z.strictObject({
  name: displayName(100),
  permissions: z
    .array(z.enum(PERMISSIONS))
    .max(PERMISSIONS.length)
    .describe('permissions from the same table the built-in roles use'),
});
