import type { paths } from '@fairstream/sdk';

type Ok<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export type EpochPage = Ok<'/api/v1/epochs'>;
export type EpochSummary = EpochPage['epochs'][number];
export type EpochDetail = Ok<'/api/v1/epochs/{n}'>;
export type Claims = Ok<'/api/v1/accounts/{address}/claims'>;
export type Earnings = Ok<'/api/v1/accounts/{address}/earnings'>;
export type EarningsItem = Earnings['items'][number];
export type Insights = Ok<'/api/v1/tracks/{id}/insights'>;
