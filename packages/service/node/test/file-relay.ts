// A FILE-BACKED TEST DOUBLE of the ChainRelay port, for kill -9 tests: what it "sent" and what
// "landed" is appended (fsynced) to a journal file, so a restarted process sees the same chain.
// Submit is idempotent per batch key, as the port requires; every landing is recorded once.
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import type { ChainRelay, Hex, RelayBatch, RelayStatus } from '../src/ports.ts';

type Line =
  | { type: 'tx'; key: string; hash: Hex; intents: string[] }
  | { type: 'landed'; key: string; intents: string[] };

export class FileRelay implements ChainRelay {
  readonly #file: string;
  readonly #txs = new Map<string, Hex>();
  readonly #landed = new Set<string>();

  constructor(file: string) {
    this.#file = file;
    for (const line of FileRelay.read(file)) {
      if (line.type === 'tx') this.#txs.set(line.key, line.hash);
      else this.#landed.add(line.key);
    }
  }

  static read(file: string): Line[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  }

  #append(line: Line): void {
    appendFileSync(this.#file, `${JSON.stringify(line)}\n`);
    const fd = openSync(this.#file, 'r');
    fsyncSync(fd);
    closeSync(fd);
  }

  async submit(batch: RelayBatch): Promise<{ txHash: Hex }> {
    const known = this.#txs.get(batch.key);
    if (known) return { txHash: known };
    const hash = `0x${(this.#txs.size + 1).toString(16).padStart(64, '0')}` as Hex;
    this.#append({ type: 'tx', key: batch.key, hash, intents: batch.intents.map((i) => i.key) });
    this.#txs.set(batch.key, hash);
    return { txHash: hash };
  }

  async status(batch: RelayBatch, txHash: Hex): Promise<RelayStatus> {
    if (this.#txs.get(batch.key) !== txHash) return { state: 'dropped' };
    if (!this.#landed.has(batch.key)) {
      this.#append({ type: 'landed', key: batch.key, intents: batch.intents.map((i) => i.key) });
      this.#landed.add(batch.key);
    }
    return { state: 'confirmed', receipt: { tx: txHash } };
  }
}
