// Public API of @aegle/contracts.
export {};
