import { join } from 'node:path';
import type { StepHost } from '../../shared/src/index';
import { createLocalStepHost } from '../dry-run/create-local-step-host';
import { DryRunService } from './dry-run/dry-run-service';
import { ConnectionService } from './keychain/connection-service';
import type { Keychain } from './keychain/keychain';
import { createKeychainSecretResolver } from './keychain/secret-resolver';
import type { Preferences } from './preferences/preferences';
import { SettingsService } from './preferences/settings-service';
import { createRunnerServices } from './runner/runner-services';
import type { RunnerServices } from './runner/runner-services';
import { ConnectionRepository } from './storage/connection.repository';
import { openDatabase } from './storage/database';
import { DryRunRepository } from './storage/dry-run.repository';
import { SampleRepository } from './storage/sample.repository';
import { WorkflowRepository } from './storage/workflow.repository';
import { loadTemplates } from './templates/template-catalog';
import type { Template } from './templates/template-catalog';
import { WorkflowService } from './workflows/workflow-service';

export type Transport = 'electron' | 'browser';

export interface AppInfo {
  version: string;
  transport: Transport;
  dataDir: string;
}

export interface AppServicesOptions {
  dataDir: string;
  /** Where the starter gallery's `*.maestro.json` files are. */
  examplesDir: string;
  preferences: Preferences;
  keychain: Keychain;
  transport: Transport;
  version: string;
  /** Tests may pass their own HTTP client etc.; the default is the local dry-run host. */
  createStepHost?: (secrets: StepHost['secrets']) => StepHost;
  /** Opens a URL in the system browser (Electron's shell.openExternal); the browser host has none. */
  openExternal?: (url: string) => Promise<void>;
}

/** Everything the router calls, built once per process over one SQLite database. */
export interface AppServices {
  info: AppInfo;
  workflows: WorkflowService;
  templates: () => Template[];
  samples: SampleRepository;
  dryRuns: DryRunService;
  connections: ConnectionService;
  settings: SettingsService;
  /** Runner profiles, sign-in, publishing, executions and administration. */
  runner: RunnerServices;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'maestro.sqlite';

export function createAppServices(options: AppServicesOptions): AppServices {
  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  const workflowRepository = new WorkflowRepository(db);
  const samples = new SampleRepository(db);
  const connectionRepository = new ConnectionRepository(db);
  const templates = (): Template[] => loadTemplates(options.examplesDir);
  const secrets = createKeychainSecretResolver(connectionRepository, options.keychain);
  const host = (
    options.createStepHost ?? ((resolver) => createLocalStepHost({ secrets: resolver }))
  )(secrets);
  const settings = new SettingsService(options.preferences, options.keychain);
  const dryRuns = new DryRunService({
    dryRuns: new DryRunRepository(db),
    workflows: workflowRepository,
    settings,
    host,
  });
  const workflows = new WorkflowService({ workflows: workflowRepository, samples, templates });
  const runner = createRunnerServices({
    db,
    keychain: options.keychain,
    workflows,
    openExternal: options.openExternal,
  });
  return {
    info: { version: options.version, transport: options.transport, dataDir: options.dataDir },
    workflows,
    templates,
    samples,
    dryRuns,
    connections: new ConnectionService(connectionRepository, options.keychain),
    settings,
    runner,
    async close() {
      runner.oidc.close();
      await dryRuns.close();
      db.close();
    },
  };
}
