/**
 * Reusable buffers for range responses. Streaming at thousands of requests a second would otherwise
 * allocate hundreds of megabytes a second for the garbage collector to chase.
 */
export class BufferPool {
  readonly #size: number;
  readonly #max: number;
  readonly #free: Buffer[] = [];

  constructor(bufferSize: number, maxPooled: number) {
    this.#size = bufferSize;
    this.#max = maxPooled;
  }

  get bufferSize(): number {
    return this.#size;
  }

  acquire(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafe(this.#size);
  }

  /** Only once nothing reads the buffer any more (the response has closed). */
  release(buffer: Buffer): void {
    if (this.#free.length < this.#max) this.#free.push(buffer);
  }
}
