import { BaseError } from '@aegle/errors';

/**
 * An import stopped while uploading. Nothing of it is visible: the records already written belong
 * to an import that has no manifest, so export and the FHIR server never show them.
 */
export class ImportIncompleteError extends BaseError {
  override name = 'ImportIncompleteError';
  readonly stored: number;
  constructor(o: { source: string; entry: string; stored: number; cause: unknown }) {
    const reason = (o.cause as { shortMessage?: string; message?: string }) ?? {};
    super(
      `import of ${o.source} stopped at ${o.entry}: ${reason.shortMessage ?? reason.message ?? String(o.cause)}; nothing of it was committed`,
      {
        hint: `the ${o.stored} record(s) already uploaded stay hidden (no import manifest names them); fix the cause and run the import again`,
        cause: o.cause,
      },
    );
    this.stored = o.stored;
  }
}

/** A file that starts like an Aegle archive but is not one this version reads. */
export class ArchiveFormatError extends BaseError {
  override name = 'ArchiveFormatError';
  constructor(source: string, detail: string) {
    super(`${source} is not a readable Aegle archive: ${detail}`, {
      hint: 'make the archive again with `aegle export --patient NAME --archive FILE`',
    });
  }
}

/** Only the patient can open an archive: its keys are wrapped for the patient alone. */
export class ArchivePatientError extends BaseError {
  override name = 'ArchivePatientError';
  constructor(source: string) {
    super(`${source} holds another patient's records`, {
      hint: 'import an archive as the patient it was exported for: --patient NAME --as NAME',
    });
  }
}

/**
 * An import of several files stopped at one of them. Each file is its own import: the files
 * named as imported are stored whole; the failed one left nothing visible (its own error says
 * so), and the rest were not started.
 */
export class ImportFilesError extends BaseError {
  override name = 'ImportFilesError';
  readonly failed: string;
  readonly imported: string[];
  constructor(o: { failed: string; imported: string[]; notStarted: number; cause: unknown }) {
    const reason =
      (o.cause as { shortMessage?: string; message?: string; hint?: string } | undefined) ?? {};
    const done =
      o.imported.length === 0 ? 'no file was imported' : `imported: ${o.imported.join(', ')}`;
    super(
      `${reason.shortMessage ?? reason.message ?? String(o.cause)} (${done}; ${o.notStarted} file(s) not started)`,
      {
        hint: `${reason.hint ?? `fix ${o.failed}`}; then import ${o.failed} and the files not started, not the imported ones again`,
        cause: o.cause,
      },
    );
    this.failed = o.failed;
    this.imported = o.imported;
  }
}
