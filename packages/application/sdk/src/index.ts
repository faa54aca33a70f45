// Public API of @aegle/sdk.
export {};
