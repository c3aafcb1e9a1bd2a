export * from './cluster';
export * from './errors';
export * from './parse';
export { HA_DEFAULTS, type HaSpec } from './ha';
export { type InitdbSpec } from './bootstrap';
export { type PoolerSpec } from './pooler';
export { DEFAULT_BASE_PORT, type LocalPlatformSpec } from './platform';
export { MAX_LOCAL_INSTANCES, checkRules } from './rules';
export { OWNED_PARAMETERS, OWNED_POOLER_SETTINGS } from './owned';
