/** One validation problem, as the shared validator reports it (`nodes[2].config.url`). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Carries validation issues to the tRPC error formatter (see router/trpc.ts). */
export class IssuesError extends Error {
  constructor(
    message: string,
    readonly issues: ValidationIssue[],
  ) {
    super(message);
    this.name = 'IssuesError';
  }
}
