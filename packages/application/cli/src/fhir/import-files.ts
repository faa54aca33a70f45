import { basename } from 'node:path';
import type { Account, Address } from '@aegle/crypto';
import type { AegleClient } from '@aegle/sdk';
import { ImportFilesError } from './errors.ts';
import { type ImportedFile, type ImportFileOptions, importFile } from './import-file.ts';

/**
 * Files imported at once. While one file's batch is stored on the node, the next is converted
 * and sealed here, so the client's CPU and the node's overlap instead of taking turns (a Synthea
 * patient: ~45 ms here, then ~35 ms on the node). Three rather than two, so that a sealed batch
 * is usually waiting when the node finishes one: 20 Synthea patients, three paired runs, 902,
 * 643 and 995 resources/s with two against 978, 942 and 1,071 with three. Each holds one
 * converted file in memory.
 */
export const FILES_IN_FLIGHT = 3;

export type ImportFilesOptions = Omit<ImportFileOptions, 'onProgress'> & {
  /** Records written and planned so far, over every file started. */
  onProgress?: (done: number, total: number) => void;
  /** Called as each file's import completes (in completion order). */
  onFile?: (file: string, imported: ImportedFile) => void;
};

/**
 * Imports several files for one patient (a Synthea output directory, a day of HL7 messages),
 * each as its own import: all or nothing per file, with its own manifest, exactly as `importFile`
 * imports one. Up to FILES_IN_FLIGHT run at once. A failure stops new files from starting; the
 * files in flight beside it finish; then ImportFilesError names the failed file and the files
 * that were imported. Results are in the order of `files`.
 */
export async function importFiles(
  client: AegleClient,
  account: Account,
  patient: Address,
  files: readonly string[],
  options: ImportFilesOptions = {},
): Promise<ImportedFile[]> {
  const { onProgress, onFile, ...common } = options;
  const progress = files.map(() => ({ done: 0, total: 0 }));
  const report = () => {
    let done = 0;
    let total = 0;
    for (const p of progress) {
      done += p.done;
      total += p.total;
    }
    onProgress?.(done, total);
  };
  const results: (ImportedFile | undefined)[] = files.map(() => undefined);
  let next = 0;
  let failure: { file: string; error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < files.length) {
      const index = next++;
      const file = files[index] as string;
      try {
        const imported = await importFile(client, account, patient, file, {
          ...common,
          ...(onProgress && {
            onProgress: (done: number, total: number) => {
              progress[index] = { done, total };
              report();
            },
          }),
        });
        results[index] = imported;
        onFile?.(file, imported);
      } catch (error) {
        failure ??= { file, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_IN_FLIGHT, files.length) }, worker));
  if (failure === undefined) return results as ImportedFile[];
  // One file: its own error, as `importFile` throws it.
  if (files.length === 1) throw failure.error;
  throw new ImportFilesError({
    failed: basename(failure.file),
    imported: files.filter((_, i) => results[i] !== undefined).map((file) => basename(file)),
    notStarted: files.length - next,
    cause: failure.error,
  });
}
