import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SecondBroker {
  url: string;
  nodeName: string;
  start(): Promise<void>;
  /** Stops the whole node (connections drop; durable queues survive). */
  stop(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

/**
 * A RabbitMQ node of the test's own, beside the main one (FIELD-NOTES): its
 * own node name, ports, Mnesia and log directories, config and env files. The
 * fault tests stop and restart it; the main broker is never touched.
 */
export function createSecondBroker(): SecondBroker {
  const id = randomBytes(3).toString('hex');
  const amqpPort = 20_000 + Math.floor(Math.random() * 20_000);
  const distPort = amqpPort + 20_000;
  const nodeName = `maestro_fault_${id}@localhost`;
  const base = `/tmp/maestro-rmq-${id}`;
  mkdirSync(`${base}/mnesia`, { recursive: true });
  mkdirSync(`${base}/log`, { recursive: true });
  writeFileSync(
    `${base}/rabbitmq.conf`,
    `listeners.tcp.local = 127.0.0.1:${amqpPort}\nloopback_users = none\n`,
  );
  writeFileSync(`${base}/enabled_plugins`, '[].\n');
  writeFileSync(`${base}/rabbitmq-env.conf`, 'ERL_EPMD_ADDRESS=127.0.0.1\n');
  const env = [
    `RABBITMQ_NODENAME=${nodeName}`,
    `RABBITMQ_NODE_PORT=${amqpPort}`,
    `RABBITMQ_DIST_PORT=${distPort}`,
    `RABBITMQ_MNESIA_BASE=${base}/mnesia`,
    `RABBITMQ_LOG_BASE=${base}/log`,
    `RABBITMQ_CONFIG_FILE=${base}/rabbitmq.conf`,
    `RABBITMQ_ENABLED_PLUGINS_FILE=${base}/enabled_plugins`,
    `RABBITMQ_CONF_ENV_FILE=${base}/rabbitmq-env.conf`,
    `RABBITMQ_PID_FILE=${base}/pid`,
    `ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"`,
    'HOME=/var/lib/rabbitmq',
  ].join(' ');
  const asRabbit = (command: string) =>
    run('su', ['rabbitmq', '-s', '/bin/sh', '-c', `env ${env} ${command}`], { timeout: 60_000 });
  const ctl = (args: string) =>
    asRabbit(`/usr/lib/rabbitmq/bin/rabbitmqctl -n ${nodeName} ${args}`);
  for (const dir of [base, `${base}/mnesia`, `${base}/log`])
    chownSync(dir, uidOf('rabbitmq'), gidOf('rabbitmq'));

  return {
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    nodeName,
    async start() {
      await asRabbit('/usr/lib/rabbitmq/bin/rabbitmq-server -detached');
      // await_startup fails while the node is not yet registered: retry (FIELD-NOTES).
      for (let attempt = 0; ; attempt++) {
        try {
          await ctl('await_startup --timeout 30');
          return;
        } catch (error) {
          if (attempt > 40) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
    async stop() {
      await ctl('stop');
    },
    async destroy() {
      await ctl('stop').catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
