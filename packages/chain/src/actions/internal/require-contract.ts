import type { Address } from 'viem';
import type { ContractName, Deployment } from '../../deployment.ts';
import { ChainError } from '../../errors.ts';

/** The address of a deployed contract, or a `contract_missing` error naming what is absent. */
export function requireContract(deployment: Pick<Deployment, 'contracts'>, name: ContractName): Address {
  const address = deployment.contracts[name];
  if (!address) {
    throw new ChainError('contract_missing', `This chain's deployment has no ${name}`, {
      details: 'Deploy it (packages/chain/scripts/deploy.ts) or use a deployment that includes it.',
    });
  }
  return address;
}
