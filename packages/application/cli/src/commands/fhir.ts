import { readFile } from 'node:fs/promises';
import type { Command } from '../command.ts';
import { FhirInvalidError } from '../errors.ts';

export const fhirValidate: Command = {
  path: 'fhir validate',
  summary: 'validate a FHIR R4 resource (JSON); prints the OperationOutcome',
  usage: 'FILE',
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const { validateResource } = await import('@aegle/fhir');
    const result = validateResource(await readFile(args.positionals[0] as string, 'utf8'));
    if (!result.valid) {
      ctx.io.stdout.write(
        `${JSON.stringify(result.outcome, null, ctx.options.json ? undefined : 2)}\n`,
      );
      throw new FhirInvalidError(result.outcome);
    }
    ctx.print(result.outcome, 'valid FHIR R4');
  },
};
