import { parseArgs } from 'node:util';
import pino from 'pino';
import { ADMIN_COMMANDS, ADMIN_USAGE, runAdminCommand } from './admin-commands';
import { ConfigError, loadConfig } from './config/config';
import { migrateDatabase } from './db/migrate';
import { openOrm } from './db/orm';
import { closeSystemSql } from './db/system-sql';
import { loggerOptions } from './observability/logger';
import { createBroker, prepareBroker } from './queue/broker';
import { ROLES, startRoles, type RunnerRole } from './roles';

const USAGE = `usage: maestro-runner [--role api|worker|scheduler|all]   run one or all roles (default: all)
       maestro-runner migrate                                 apply database migrations and exit
${ADMIN_USAGE}`;

/**
 * The runner process: `migrate`, or the roles (--role) until SIGTERM/SIGINT,
 * then a graceful shutdown. Returns the exit code.
 */
export async function main(argv: string[]): Promise<number> {
  // Milliseconds since the process started: node boot, the tsx loader and every import above.
  const startup = createStartupClock();
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { role: { type: 'string', default: 'all' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = parsed.positionals[0];
  const role = parsed.values.role as RunnerRole;
  const adminCommand = ADMIN_COMMANDS.find((c) => c === command);
  if (
    (command !== undefined && command !== 'migrate' && !adminCommand) ||
    !ROLES.includes(role) ||
    (!adminCommand && parsed.positionals.length > 1)
  ) {
    console.error(USAGE);
    return 2;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (adminCommand) {
    if (config.autoMigrate) await migrateDatabase(config);
    return runAdminCommand(adminCommand, parsed.positionals.slice(1), config, process.env);
  }
  const log = pino(loggerOptions(config.logLevel, { role: command ?? role }));
  // Start and stop lines are written whatever the level: supervisors and tests wait for them.
  const lifecycle = log.isLevelEnabled('info')
    ? log
    : pino(loggerOptions('info', { role: command ?? role }));
  for (const warning of config.warnings) log.warn(warning);
  if (command === 'migrate' || config.autoMigrate) {
    const result = await migrateDatabase(config);
    log.info(result, 'database migrated');
    if (command === 'migrate') return 0;
    startup.mark('migrate');
  }
  const orm = await openOrm({ databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize });
  startup.mark('orm');
  const broker = createBroker({
    url: config.amqpUrl,
    prefix: `${config.queuePrefix}.`,
    connectionName: `maestro-runner ${role} ${config.workerId}`,
  });
  // The API takes webhooks even while the broker is away (the outbox keeps them): do not block on it.
  prepareBroker(broker, 0).catch((error: unknown) =>
    log.error({ err: error }, 'could not declare the queues'),
  );
  const running = await startRoles(role, config, orm, broker);
  startup.mark('roles');
  const address = running.server?.server.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  lifecycle.info(
    { role, host: config.host, port, startupMs: startup.phases() },
    'maestro runner started',
  );

  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      lifecycle.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await running.stop();
  await broker.close().catch(() => {});
  await closeSystemSql(orm);
  await orm.close(true);
  lifecycle.info('stopped');
  return 0;
}

/** Where start-up time goes (bench/runner-startup.bench.ts prints it): phase → ms. */
function createStartupClock() {
  const phases: Record<string, number> = { imports: Math.round(performance.now()) };
  let last = performance.now();
  return {
    mark(name: string) {
      const now = performance.now();
      phases[name] = Math.round(now - last);
      last = now;
    },
    phases: () => {
      const cpu = process.cpuUsage();
      // CPU time says more than wall time on a busy machine: it hardly depends on the load.
      return {
        ...phases,
        total: Math.round(performance.now()),
        cpu: Math.round((cpu.user + cpu.system) / 1000),
      };
    },
  };
}
