export { ConfigError, keyIdOf, loadConfig, type RunnerConfig } from './config';
export { EnvSchema, type Env } from './env-schema';
