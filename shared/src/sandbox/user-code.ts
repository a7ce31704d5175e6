/** The file name in stack traces of the user's code, so errors can say "line N". */
export const CODE_FILENAME = 'code.js';

/** Wraps the body so that line N of the user's code is line N of `code.js`; `await` needs an async function. */
export function wrapUserCode(code: string): string {
  const isAsync = /\bawait\b/.test(code);
  return `(${isAsync ? 'async ' : ''}function (input) {${code}\n})`;
}
