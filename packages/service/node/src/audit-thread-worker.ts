// Runs in a worker thread: the audit journal's group commits, on the thread's own connection to
// node.sqlite, so their fsyncs never block the event loop that serves requests.
import { parentPort, workerData } from 'node:worker_threads';
import { AuditJournal, type AuditRelease } from './audit-journal.ts';
import { openNodeDatabase } from './open-node-database.ts';
import { Outbox } from './outbox.ts';

type Message =
  | { type: 'append'; id: number; release: AuditRelease; at: number }
  | { type: 'close' };

const db = openNodeDatabase((workerData as { file: string }).file);
const journal = new AuditJournal(db, new Outbox(db));
let inFlight = 0;
let closing = false;

function maybeClose(): void {
  if (!closing || inFlight > 0) return;
  db.close();
  parentPort?.postMessage({ type: 'closed' });
  parentPort?.close();
}

parentPort?.on('message', (message: Message) => {
  if (message.type === 'close') {
    closing = true;
    maybeClose();
    return;
  }
  inFlight++;
  journal
    .append(message.release, message.at)
    .then(
      (row) => parentPort?.postMessage({ type: 'done', id: message.id, row }),
      (error: unknown) =>
        parentPort?.postMessage({
          type: 'done',
          id: message.id,
          error: error instanceof Error ? error.name : 'Error',
        }),
    )
    .finally(() => {
      inFlight--;
      maybeClose();
    });
});
