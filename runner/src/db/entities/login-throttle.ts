import { defineEntity, p } from '@mikro-orm/core';

/**
 * Login failure counters shared by every API process (runner/src/identity/login-throttle.ts):
 * key `a:<email>` or `i:<ip>`. Platform-wide, like users.
 */
export const LoginFailure = defineEntity({
  name: 'LoginFailure',
  tableName: 'login_failures',
  properties: {
    key: p.string().length(300).primary(),
    failures: p.integer(),
    windowStart: p.datetime(),
    lockedUntil: p.datetime().nullable(),
  },
});
