export { ConfigError, configFromEnv, type NodeConfig, resolveConfig } from './config.ts';
export { createNode, type FairstreamNode, VERSION } from './node.ts';
