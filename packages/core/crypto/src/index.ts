// Public API of @aegle/crypto.
export {};
