export { ConfigError, configFromEnv, type NodeConfig, resolveConfig } from './config.ts';
export {
  type BackgroundNode,
  createNode,
  type FairstreamNode,
  startBackgroundNode,
  VERSION,
} from './node.ts';
