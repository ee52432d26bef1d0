import type * as t from 'io-ts';

/**
 * io-ts errors in words: `cells must be a PositiveInt (got -3)`, one clause
 * per failing field, naming the path from the root.
 */
export function describeErrors(errors: t.Errors): string {
  const clauses = errors.map((error) => {
    const path = error.context
      .map((entry) => entry.key)
      .filter((key) => key !== '')
      .join('.');
    const expected = error.context[error.context.length - 1]?.type.name ?? 'something else';
    const field = path === '' ? 'the input' : path;
    const got = error.value === undefined ? 'nothing' : abbreviate(error.value);
    return error.message ?? `${field} must be ${expected === 'boolean' ? 'true or false' : expected} (got ${got})`;
  });
  return [...new Set(clauses)].join('; ');
}

/** A value as JSON, cut short: an error message stays one short line whatever the input holds. */
function abbreviate(value: unknown): string {
  const text = String(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
