import type { Command } from '../command.ts';
import { accountCreate, accountExport, accountImport, accountList } from './account.ts';

/** Every command, in the order `aegle help` lists them. */
export const COMMANDS: readonly Command[] = [
  accountCreate,
  accountList,
  accountExport,
  accountImport,
];
