import type { Command } from '../command.ts';
import {
  accountCreate,
  accountExport,
  accountImport,
  accountList,
  accountRegister,
} from './account.ts';
import { authorityAdd, certify } from './authority.ts';
import { exportBundle, fhirServe, fhirValidate, importFile } from './fhir.ts';
import { audit, grant, grants, guardianAdd, revoke } from './grant.ts';
import { nodeStart, nodeStatus } from './node.ts';
import { recordAdd, recordGet, recordList, recordVerify } from './record.ts';
import { storeScrub, storeUsage } from './store.ts';

/** Every command, in the order `aegle help` lists them. */
export const COMMANDS: readonly Command[] = [
  nodeStart,
  nodeStatus,
  accountCreate,
  accountRegister,
  accountList,
  accountExport,
  accountImport,
  authorityAdd,
  certify,
  recordAdd,
  recordGet,
  recordList,
  recordVerify,
  grant,
  revoke,
  grants,
  guardianAdd,
  audit,
  storeUsage,
  storeScrub,
  fhirValidate,
  importFile,
  exportBundle,
  fhirServe,
];
