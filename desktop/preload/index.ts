// The preload only exposes the tRPC bridge (window.electronTRPC); the renderer
// reaches the main process through that one channel and nothing else. It runs
// sandboxed, so it is bundled to CommonJS that requires nothing but `electron`.
import { exposeElectronTRPC } from 'trpc-electron/main';

exposeElectronTRPC();
