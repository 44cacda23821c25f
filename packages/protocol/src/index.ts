export * from './payouts/allocate.ts';
export * from './payouts/fan-drop.ts';
export * from './payouts/largest-remainder.ts';
export * from './payouts/plays-leaf.ts';
export * from './plays/counting-rule.ts';
export * from './plays/report.ts';
export * from './plays/session-key.ts';
export * from './splits.ts';
