/** The slice of pino the execution path uses (pino's Logger satisfies it; tests pass a silent one). */
export interface Log {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
