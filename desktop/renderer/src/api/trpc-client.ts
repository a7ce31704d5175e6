/**
 * The renderer's one tRPC client. In Electron the preload exposes
 * `window.electronTRPC` and calls go over IPC; in the browser host queries
 * and mutations use HTTP batching and subscriptions a WebSocket, both on
 * `/trpc` of the page's own origin.
 */
import type { TRPCLink } from '@trpc/client';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { ipcLink } from 'trpc-electron/renderer';
import type { AppRouter } from '../../../main/router';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

function browserLink(): TRPCLink<AppRouter> {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/trpc`;
  // Lazy: the socket opens with the first subscription (a dry-run), not on page load.
  const wsClient = createWSClient({ url: wsUrl, lazy: { enabled: true, closeMs: 10_000 } });
  return splitLink({
    condition: (op) => op.type === 'subscription',
    true: wsLink<AppRouter>({ client: wsClient }),
    false: httpBatchLink<AppRouter>({ url: '/trpc' }),
  });
}

function pickLink(): TRPCLink<AppRouter> {
  const inElectron = typeof window !== 'undefined' && 'electronTRPC' in window;
  return inElectron ? ipcLink<AppRouter>() : browserLink();
}

export const api = createTRPCClient<AppRouter>({ links: [pickLink()] });

/** The plain message of any error a procedure call can throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A failed call as a form or page shows it: its message and, when a runner refused it, the
 * problem+json `type` (so the app can act on the kind of refusal without reading the wording).
 */
export interface Failure {
  message: string;
  problemType?: string;
  /** The tRPC error code (`FORBIDDEN` when the runner answered 403). */
  code?: string;
}

export function failureOf(error: unknown): Failure {
  const data = (error as { data?: { problemType?: string; code?: string } } | null)?.data;
  const { problemType, code } = data ?? {};
  return {
    message: errorMessage(error),
    ...(problemType ? { problemType } : {}),
    ...(code ? { code } : {}),
  };
}

/** Validation issues attached by the router's error formatter, when any. */
export function errorIssues(error: unknown): { path: string; message: string }[] {
  const data = (error as { data?: { issues?: { path: string; message: string }[] } } | null)?.data;
  return data?.issues ?? [];
}
