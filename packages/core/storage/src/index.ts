// Public API of @aegle/storage.
export {};
