/**
 * A quantified group that itself holds a quantifier — `(a+)+`, `(\w*)*`,
 * `(x{1,}){2,}` — the classic shape of catastrophic backtracking. JSONata's
 * timeout is checked between evaluation steps, never inside one regex match,
 * so such a pattern on a modest string would block the host for minutes.
 */
const NESTED_QUANTIFIER =
  /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/**
 * The RegExp JSONata builds its regexes with (its `RegexEngine` option):
 * refuses nested quantifiers, which fails the template with EXPRESSION. A
 * heuristic: it does not catch every slow pattern (overlapping alternations).
 */
export class GuardedRegExp extends RegExp {
  constructor(pattern: string | RegExp, flags?: string) {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    if (NESTED_QUANTIFIER.test(source)) {
      throw new Error(
        `regular expression /${source}/ is refused: a repeated group holding a repetition can take forever`,
      );
    }
    super(pattern, flags);
  }
}
