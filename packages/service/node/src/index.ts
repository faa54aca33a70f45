// Public API of @aegle/node.
export {};
