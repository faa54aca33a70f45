import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';

export type AegleChainClients = {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  /** Present when an account was given. */
  walletClient: WalletClient<Transport, Chain, Account> | undefined;
};

/** A viem chain description for any EVM JSON-RPC endpoint, from its chain id. */
export function aegleChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `aegle-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * Public and wallet clients for one endpoint. `cacheTime: 0` because the indexer and the
 * confirmation logic must see fresh block numbers, not viem's 4-second cache.
 */
export async function createAegleClients(options: {
  rpcUrl: string;
  account?: Account | undefined;
  chainId?: number | undefined;
  pollingIntervalMs?: number | undefined;
}): Promise<AegleChainClients> {
  const transport = http(options.rpcUrl, { retryCount: 2 });
  const chainId =
    options.chainId ?? (await createPublicClient({ transport, cacheTime: 0 }).getChainId());
  const chain = aegleChain(chainId, options.rpcUrl);
  const pollingInterval = options.pollingIntervalMs ?? 100;
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval });
  const walletClient = options.account
    ? createWalletClient({
        chain,
        transport,
        account: options.account,
        cacheTime: 0,
        pollingInterval,
      })
    : undefined;
  return { chain, publicClient, walletClient };
}
