// Public API of @aegle/cli.
export {};
