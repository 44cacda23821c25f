export * from './splits.ts';
