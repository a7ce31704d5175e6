/**
 * A PostgreSQL array literal for ids (uuids, bigints) passed as ONE bind
 * parameter: knex expands a JS array binding into a list of placeholders,
 * which `= any(?)` cannot take. Only for values without commas, quotes or braces.
 * @example em.execute('... where id = any(?::uuid[])', [pgArray(ids)])
 */
export function pgArray(values: readonly string[]): string {
  for (const value of values) {
    if (/[,{}"\\\s]/.test(value))
      throw new Error(`pgArray: unsafe element ${JSON.stringify(value)}`);
  }
  return `{${values.join(',')}}`;
}
