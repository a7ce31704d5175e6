export { appRouter } from './app-router';
export type { AppRouter } from './app-router';
export type { AppContext } from './trpc';
