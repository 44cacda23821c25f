import {
  type AppRegistration,
  appRegistrationMessage,
  type SignedAppRegistration,
} from '@fairstream/protocol';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { FairstreamNode } from '../node.ts';
import { signIn } from './test-node.ts';

/** A registration of `appId` signed by its owner's wallet now, as a developer's client makes it. */
export async function signedAppRegistration(
  owner: PrivateKeyAccount,
  fields: Pick<AppRegistration, 'appId' | 'name' | 'chainId'> & Partial<AppRegistration>,
): Promise<SignedAppRegistration> {
  const registration: AppRegistration = {
    owner: owner.address.toLowerCase(),
    registeredAt: Date.now(),
    ...fields,
  };
  return {
    ...registration,
    signature: await owner.signMessage({ message: appRegistrationMessage(registration) }),
  };
}

/** Signs the owner in and registers the app through POST /api/v1/apps; throws unless 201. */
export async function registerApp(
  node: FairstreamNode,
  owner: PrivateKeyAccount,
  appId: string,
  name = `App ${appId}`,
): Promise<SignedAppRegistration> {
  const token = await signIn(node, owner);
  const registration = await signedAppRegistration(owner, { appId, name, chainId: node.ledger.chainId });
  const response = await node.app.inject({
    method: 'POST',
    url: '/api/v1/apps',
    headers: { authorization: `Bearer ${token}` },
    payload: registration,
  });
  if (response.statusCode !== 201) throw new Error(`app registration failed: ${response.body}`);
  return registration;
}
