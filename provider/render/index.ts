export * from './context';
export * from './parameters';
export * from './pghba';
export * from './patroni';
export * from './pgbouncer';
export { sortKeys } from './sorted';
