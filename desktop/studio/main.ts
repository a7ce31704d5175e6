import { parsePort, runStudio } from './run-studio';

/** `npm run studio [-- --port N] [--build]`: the browser host, for machines without Electron. */
const argv = process.argv.slice(2);
try {
  await runStudio({ port: parsePort(argv), build: argv.includes('--build') });
} catch (error) {
  console.error(`maestro studio: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
