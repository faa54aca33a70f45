/** Bytes in memory as the async stream that encryption and decryption take: one chunk. */
export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
