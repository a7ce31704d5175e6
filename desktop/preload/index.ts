// The preload only exposes the tRPC bridge (window.electronTRPC); the renderer
// reaches the main process through that one channel and nothing else.
import { exposeElectronTRPC } from 'trpc-electron/main';

process.once('loaded', () => {
  exposeElectronTRPC();
});
