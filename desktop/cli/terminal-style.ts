/** ANSI colours for one stream, or none: only on a TTY, and never when NO_COLOR is set (no-color.org). */
export interface TerminalStyle {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain = (text: string): string => text;
const wrap = (open: number, close: number) => (text: string) =>
  `\u001b[${open}m${text}\u001b[${close}m`;

export const noStyle: TerminalStyle = {
  green: plain,
  red: plain,
  yellow: plain,
  dim: plain,
  bold: plain,
};
export const ansiStyle: TerminalStyle = {
  green: wrap(32, 39),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): TerminalStyle {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return stream.isTTY === true && !noColor ? ansiStyle : noStyle;
}
