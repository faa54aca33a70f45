import { r4ResourceTypes, searchParametersFor } from './search-parameters.ts';

/** The type-level interactions every resource type gets, and nothing more. */
export const TYPE_INTERACTIONS = ['read', 'vread', 'search-type', 'create'] as const;

/**
 * The server's CapabilityStatement, built from the same tables the request handlers use, so it
 * lists exactly what is implemented: every R4 resource type with read, vread, search-type and
 * create; per type the search parameters served; Patient's `$everything`; and transaction.
 */
export function capabilityStatement(options: { baseUrl: string; date: Date }) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.date.toISOString(),
    publisher: 'Aegle',
    kind: 'instance',
    software: { name: 'Aegle FHIR server' },
    implementation: {
      description: "A local FHIR R4 endpoint over the acting user's records, decrypted in memory",
      url: options.baseUrl,
    },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Unknown search parameters are refused (400) unless the request has Prefer: handling=lenient. Paging: _count (default 50, at most 1000) and the next/previous links.',
        resource: r4ResourceTypes().map((type) => ({
          type,
          interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
          versioning: 'versioned',
          readHistory: true,
          updateCreate: false,
          searchParam: [...searchParametersFor(type).values()].map((parameter) => ({
            name: parameter.code,
            definition: parameter.definition,
            type: parameter.type,
          })),
          ...(type === 'Patient'
            ? {
                operation: [
                  {
                    name: 'everything',
                    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
                  },
                ],
              }
            : {}),
        })),
        interaction: [{ code: 'transaction' }],
      },
    ],
  };
}
