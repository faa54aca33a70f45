// Public API of @aegle/chain.
export {};
