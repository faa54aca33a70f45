// Public API of @aegle/fhir.
export {};
