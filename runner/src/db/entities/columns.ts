import { p } from '@mikro-orm/core';

/** A timestamp set on insert, by the database and by the ORM alike (`created_at`, `at`...). */
export const insertedAt = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date());
