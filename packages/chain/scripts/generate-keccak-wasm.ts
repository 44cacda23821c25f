// Generates packages/chain/src/merkle/keccak-wasm.ts: Fairstream's WebAssembly keccak-256 (Ethereum's
// keccak256: Keccak-f[1600], rate 136 bytes, padding 0x01 … 0x80), as base64, for keccak.ts.
//
//   node packages/chain/scripts/generate-keccak-wasm.ts            write the file
//   node packages/chain/scripts/generate-keccak-wasm.ts --check    fail (exit 1) when the file drifts
//
// The module is emitted instruction by instruction by the tiny binary emitter below (no assembler):
// the 25 lanes of the state live in i64 locals (two sets, A and E, one round going from each to the
// other), rotations are i64.rotl, theta, rho, pi, chi and iota are unrolled for 4 rounds inside a loop
// of 6 turns, and lane complementing saves most of chi's NOTs. Its exports do the batch work in one
// call each, so JavaScript makes no call per hash:
//
//   memory                                    grown by the caller; bytes 0 … 1023 are reserved (the
//                                             module uses 0 … 639, the caller may use 640 … 1023)
//   keccak(ptr, len, out)                     out[0..32] = keccak256(memory[ptr .. ptr + len])
//   doubleKeccakMany(ptr, width, count, out)  count × keccak256(keccak256(message of width bytes))
//   hashInnerNodes(nodes, leafCount)          the inner nodes of a StandardMerkleTree, in place
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const rootDir = join(packageDir, '..', '..');
const outputPath = join(packageDir, 'src', 'merkle', 'keccak-wasm.ts');
const biome = join(rootDir, 'node_modules', '.bin', 'biome');
const check = process.argv.includes('--check');

// The one WebAssembly call used here (the project's TypeScript libs do not declare WebAssembly).
declare const WebAssembly: {
  instantiate(bytes: Uint8Array): Promise<{ instance: { exports: unknown } }>;
};

function fail(message: string): never {
  console.error(`generate-keccak-wasm: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Memory layout (the fixed part; keccak.ts puts its data from DATA on).
const RC_TABLE = 0; // 24 round constants, 8 bytes each
const PAD = 256; // the last, padded block of a message (136 bytes)
const PAIR = 512; // two children in hash order (64 bytes)
const TMP = 576; // the inner hash of a double hash (32 bytes)
const RATE = 136;
const ROUNDS = 24;

// ---------------------------------------------------------------------------------------------
// Keccak-f[1600] constants, computed rather than copied.

/** Round constants from the LFSR of the Keccak reference (x^8 + x^6 + x^5 + x^4 + 1). */
function roundConstants(): bigint[] {
  let r = 1;
  const bit = (): number => {
    const out = r & 1;
    r = r & 0x80 ? ((r << 1) ^ 0x71) & 0xff : (r << 1) & 0xff;
    return out;
  };
  const constants: bigint[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let rc = 0n;
    for (let j = 0; j < 7; j++) if (bit()) rc |= 1n << BigInt((1 << j) - 1);
    constants.push(rc);
  }
  return constants;
}

/** Rotation offsets of rho, indexed by lane x + 5y. */
function rotationOffsets(): number[] {
  const offsets = new Array<number>(25).fill(0);
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    offsets[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  return offsets;
}

// ---------------------------------------------------------------------------------------------
// A tiny WebAssembly binary emitter: just what this module needs.

const I32 = 0x7f;
const I64 = 0x7e;

function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signed(value: bigint): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsigned(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

/** Instructions of one function body. Block types are empty (0x40) throughout. */
class Code {
  readonly bytes: number[] = [];
  private op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  get(local: number): this {
    return this.op(0x20, ...unsigned(local));
  }
  set(local: number): this {
    return this.op(0x21, ...unsigned(local));
  }
  tee(local: number): this {
    return this.op(0x22, ...unsigned(local));
  }
  i32(value: number): this {
    return this.op(0x41, ...signed(BigInt(value)));
  }
  i64(value: bigint): this {
    return this.op(0x42, ...signed(BigInt.asIntN(64, value)));
  }
  /** i64.load with a constant offset. */
  load64(offset = 0): this {
    return this.op(0x29, 3, ...unsigned(offset));
  }
  store64(offset = 0): this {
    return this.op(0x37, 3, ...unsigned(offset));
  }
  load8(offset = 0): this {
    return this.op(0x2d, 0, ...unsigned(offset));
  }
  store8(offset = 0): this {
    return this.op(0x3a, 0, ...unsigned(offset));
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...unsigned(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...unsigned(depth));
  }
  call(index: number): this {
    return this.op(0x10, ...unsigned(index));
  }
  memoryCopy(): this {
    return this.op(0xfc, ...unsigned(10), 0, 0);
  }
  memoryFill(): this {
    return this.op(0xfc, ...unsigned(11), 0);
  }
  i32Eqz = () => this.op(0x45);
  i32Ne = () => this.op(0x47);
  i32LtS = () => this.op(0x48);
  i32LtU = () => this.op(0x49);
  i32GtU = () => this.op(0x4b);
  i32GeU = () => this.op(0x4f);
  i32Add = () => this.op(0x6a);
  i32Sub = () => this.op(0x6b);
  i32Mul = () => this.op(0x6c);
  i32Or = () => this.op(0x72);
  i32Shl = () => this.op(0x74);
  i64And = () => this.op(0x83);
  i64Or = () => this.op(0x84);
  i64Xor = () => this.op(0x85);
  i64Rotl = () => this.op(0x89);
}

interface Func {
  params: number[];
  /** Extra locals, in order after the parameters. */
  locals: number[];
  code: Code;
}

function body(func: Func): number[] {
  // Runs of equal local types, as the binary format groups them.
  const groups: number[][] = [];
  for (let i = 0; i < func.locals.length; ) {
    let j = i;
    while (j < func.locals.length && func.locals[j] === func.locals[i]) j++;
    groups.push([...unsigned(j - i), func.locals[i]!]);
    i = j;
  }
  const content = [...vector(groups), ...func.code.bytes, 0x0b];
  return [...unsigned(content.length), ...content];
}

// ---------------------------------------------------------------------------------------------
// The functions.

const FN_KECCAK = 0;
const FN_DOUBLE = 1;
const FN_INNER = 2;

/**
 * Lane complementing (the Keccak team's "Keccak implementation overview", §2.2): the state is kept
 * with these lanes complemented, which lets chi do with one NOT per row instead of five.
 */
const COMPLEMENTED = [1, 2, 8, 12, 17, 20];
/**
 * chi on a row of B with lane complementing, lane x of the row = B[x] ^ (B[x+1] op B[x+2]), op '|' or
 * '&', with the inputs flagged in `not` complemented first (1: B[x], 2: B[x+1], 4: B[x+2]).
 */
const CHI: (readonly ['|' | '&', number])[][] = [
  [
    ['|', 0],
    ['|', 2],
    ['&', 0],
    ['|', 0],
    ['&', 0],
  ],
  [
    ['|', 0],
    ['&', 0],
    ['|', 4],
    ['|', 0],
    ['&', 0],
  ],
  [
    ['|', 0],
    ['&', 0],
    ['&', 2],
    ['|', 1],
    ['&', 0],
  ],
  [
    ['&', 0],
    ['|', 0],
    ['|', 2],
    ['&', 1],
    ['|', 0],
  ],
  [
    ['&', 2],
    ['|', 1],
    ['&', 0],
    ['|', 0],
    ['&', 0],
  ],
];
/** Rounds unrolled in one turn of the round loop (even: the state goes A → E → A). */
const ROUNDS_PER_TURN = 4;

/** keccak(ptr, len, out): the sponge over the message, then the first 32 bytes of the state. */
function keccakFunction(): Func {
  const [ptr, len, out] = [0, 1, 2];
  const a = (lane: number) => 3 + lane; // the state, lane x + 5y
  const e = (lane: number) => 28 + lane; // the state after an odd round
  const c = (x: number) => 53 + x; // theta's column parities
  const d = (x: number) => 58 + x; // theta's effect on column x
  const b = (x: number) => 63 + x; // one row after rho and pi
  const [src, last, round] = [68, 69, 70];
  const locals = [...new Array<number>(65).fill(I64), I32, I32, I32];
  const rotations = rotationOffsets();
  const code = new Code();

  /** One round from state `from` into state `to`; `rc` pushes the round constant. */
  const keccakRound = (from: (lane: number) => number, to: (lane: number) => number, rc: () => void) => {
    // theta.
    for (let x = 0; x < 5; x++) {
      code.get(from(x));
      for (let y = 1; y < 5; y++) code.get(from(x + 5 * y)).i64Xor();
      code.set(c(x));
    }
    for (let x = 0; x < 5; x++) {
      code
        .get(c((x + 4) % 5))
        .get(c((x + 1) % 5))
        .i64(1n)
        .i64Rotl()
        .i64Xor()
        .set(d(x));
    }
    for (let row = 0; row < 5; row++) {
      // theta's D, rho and pi into B: B[x'] of output row y' is lane (x, y) with y = x' and
      // 2x + 3y = y' (mod 5), rotated.
      for (let column = 0; column < 5; column++) {
        const y = column;
        const x = ((((row - 3 * y) % 5) + 5) * 3) % 5;
        const lane = x + 5 * y;
        code.get(from(lane)).get(d(x)).i64Xor();
        if (rotations[lane]! !== 0) code.i64(BigInt(rotations[lane]!)).i64Rotl();
        code.set(b(column));
      }
      // chi, and iota on lane 0.
      for (let column = 0; column < 5; column++) {
        const [op, not] = CHI[row]![column]!;
        code.get(b((column + 1) % 5));
        if (not & 2) code.i64(-1n).i64Xor();
        code.get(b((column + 2) % 5));
        if (not & 4) code.i64(-1n).i64Xor();
        if (op === '|') code.i64Or();
        else code.i64And();
        code.get(b(column));
        if (not & 1) code.i64(-1n).i64Xor();
        code.i64Xor();
        if (row === 0 && column === 0) {
          rc();
          code.i64Xor();
        }
        code.set(to(column + 5 * row));
      }
    }
  };

  // Locals start at zero: the empty state, but for the complemented lanes.
  for (const lane of COMPLEMENTED) code.i64(-1n).set(a(lane));
  code.loop(); // one block of the message per turn
  // Either a whole block straight from the message, or the padded rest of it from PAD.
  code.get(len).i32(RATE).i32GeU().if();
  code.get(ptr).set(src);
  code.get(ptr).i32(RATE).i32Add().set(ptr);
  code.get(len).i32(RATE).i32Sub().set(len);
  code.else();
  code.i32(PAD).i32(0).i32(RATE).memoryFill();
  code.i32(PAD).get(ptr).get(len).memoryCopy();
  code.get(len).i32(1).store8(PAD); // 0x01 after the message (len < 136)
  code
    .i32(0)
    .i32(0)
    .load8(PAD + RATE - 1)
    .i32(0x80)
    .i32Or()
    .store8(PAD + RATE - 1); // 0x80 at the end of the block
  code.i32(PAD).set(src);
  code.i32(1).set(last);
  code.end();

  // Absorb: the block's 17 lanes into the state (XOR commutes with the complementing).
  for (let lane = 0; lane < RATE / 8; lane++) {
    code
      .get(a(lane))
      .get(src)
      .load64(lane * 8)
      .i64Xor()
      .set(a(lane));
  }

  // Keccak-f[1600]: ROUNDS_PER_TURN rounds per turn, round constants from RC_TABLE.
  code.i32(0).set(round);
  code.loop();
  for (let r = 0; r < ROUNDS_PER_TURN; r++) {
    const rc = () => code.get(round).load64(RC_TABLE + 8 * r);
    if (r % 2 === 0) keccakRound(a, e, rc);
    else keccakRound(e, a, rc);
  }
  code
    .get(round)
    .i32(8 * ROUNDS_PER_TURN)
    .i32Add()
    .tee(round)
    .i32(ROUNDS * 8)
    .i32Ne()
    .brIf(0);
  code.end();
  code.get(last).i32Eqz().brIf(0);
  code.end();
  // Squeeze: 32 bytes, the first four lanes (lanes 1 and 2 are kept complemented).
  for (let lane = 0; lane < 4; lane++) {
    code.get(out).get(a(lane));
    if (COMPLEMENTED.includes(lane)) code.i64(-1n).i64Xor();
    code.store64(lane * 8);
  }
  return { params: [I32, I32, I32], locals, code };
}

/** doubleKeccakMany(ptr, width, count, out): out[i] = keccak256(keccak256(message i)). */
function doubleFunction(): Func {
  const [ptr, width, count, out] = [0, 1, 2, 3];
  const code = new Code();
  code.block();
  code.get(count).i32Eqz().brIf(0);
  code.loop();
  code.get(ptr).get(width).i32(TMP).call(FN_KECCAK);
  code.i32(TMP).i32(32).get(out).call(FN_KECCAK);
  code.get(ptr).get(width).i32Add().set(ptr);
  code.get(out).i32(32).i32Add().set(out);
  code.get(count).i32(1).i32Sub().tee(count).brIf(0);
  code.end();
  code.end();
  return { params: [I32, I32, I32, I32], locals: [], code };
}

/**
 * hashInnerNodes(nodes, leafCount): for i from leafCount − 2 down to 0, node i = keccak256 of its
 * children 2i + 1 and 2i + 2, the bytewise smaller first. Children already in order are hashed where
 * they lie; others are swapped into PAIR first.
 */
function innerFunction(): Func {
  const [nodes, leafCount] = [0, 1];
  const [i, left, right, k, x, y, swap] = [2, 3, 4, 5, 6, 7, 8];
  const code = new Code();
  code.get(leafCount).i32(2).i32Sub().set(i);
  code.block();
  code.get(i).i32(0).i32LtS().brIf(0);
  code.loop();
  // left = nodes + (2i + 1) × 32, right = left + 32
  code.get(nodes).get(i).i32(1).i32Shl().i32(1).i32Add().i32(5).i32Shl().i32Add().tee(left);
  code.i32(32).i32Add().set(right);
  // swap = right < left, bytewise
  code.i32(0).set(swap);
  code.i32(0).set(k);
  code.block();
  code.loop();
  code.get(left).get(k).i32Add().load8().tee(x);
  code.get(right).get(k).i32Add().load8().tee(y);
  code.i32Ne().if();
  code.get(x).get(y).i32GtU().set(swap);
  code.br(2);
  code.end();
  code.get(k).i32(1).i32Add().tee(k).i32(32).i32LtU().brIf(0);
  code.end();
  code.end();
  // node i = keccak256(low ‖ high)
  code.get(swap).if();
  code.i32(PAIR).get(right).i32(32).memoryCopy();
  code
    .i32(PAIR + 32)
    .get(left)
    .i32(32)
    .memoryCopy();
  code.i32(PAIR).i32(64).get(nodes).get(i).i32(5).i32Shl().i32Add().call(FN_KECCAK);
  code.else();
  code.get(left).i32(64).get(nodes).get(i).i32(5).i32Shl().i32Add().call(FN_KECCAK);
  code.end();
  code.get(i).i32(1).i32Sub().tee(i).i32(0).i32LtS().i32Eqz().brIf(0);
  code.end();
  code.end();
  return { params: [I32, I32], locals: new Array<number>(7).fill(I32), code };
}

function module(): Uint8Array {
  const funcs = [keccakFunction(), doubleFunction(), innerFunction()];
  const types = funcs.map((func) => [0x60, ...vector(func.params.map((type) => [type])), 0]);
  const rcBytes = new Uint8Array(ROUNDS * 8);
  const rcView = new DataView(rcBytes.buffer);
  roundConstants().forEach((rc, index) => {
    rcView.setBigUint64(index * 8, rc, true);
  });
  const exports: [string, number, number][] = [
    ['memory', 0x02, 0],
    ['keccak', 0x00, FN_KECCAK],
    ['doubleKeccakMany', 0x00, FN_DOUBLE],
    ['hashInnerNodes', 0x00, FN_INNER],
  ];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(funcs.map((_, index) => unsigned(index)))),
    ...section(5, vector([[0x00, ...unsigned(1)]])), // one memory, 1 page to start, no maximum
    ...section(
      7,
      vector(exports.map(([exportName, kind, index]) => [...name(exportName), kind, ...unsigned(index)])),
    ),
    ...section(10, vector(funcs.map(body))),
    ...section(
      11,
      vector([[0x00, 0x41, ...signed(BigInt(RC_TABLE)), 0x0b, ...unsigned(rcBytes.length), ...rcBytes]]),
    ),
  ];
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------------------------------------

const wasm = module();

// A sanity check before writing anything: keccak256('') and keccak256('abc').
{
  const { instance } = await WebAssembly.instantiate(wasm);
  const exported = instance.exports as {
    memory: { buffer: ArrayBuffer };
    keccak: (ptr: number, len: number, out: number) => void;
  };
  const memory = new Uint8Array(exported.memory.buffer);
  const hex = (offset: number) => Buffer.from(memory.subarray(offset, offset + 32)).toString('hex');
  memory.set([0x61, 0x62, 0x63], 1024);
  exported.keccak(1024, 0, 2048);
  exported.keccak(1024, 3, 2080);
  if (
    hex(2048) !== 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470' ||
    hex(2080) !== '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45'
  ) {
    fail('the generated module does not compute keccak256');
  }
}

const base64 = Buffer.from(wasm).toString('base64');
const text = `// Generated by packages/chain/scripts/generate-keccak-wasm.ts. Do not edit.
// Fairstream's WebAssembly keccak-256 (${wasm.length} bytes of wasm, base64); keccak.ts instantiates it.
export const keccakWasmBase64 =
  '${base64}';
`;

const result = spawnSync(biome, ['format', `--stdin-file-path=${relative(rootDir, outputPath)}`], {
  cwd: rootDir,
  input: text,
  encoding: 'utf8',
});
if (result.status !== 0) fail(`biome could not format ${outputPath}: ${result.stderr}`);
const formatted = result.stdout;

if (check) {
  if (!existsSync(outputPath) || readFileSync(outputPath, 'utf8') !== formatted) {
    fail(
      `generated file drifted (run: node packages/chain/scripts/generate-keccak-wasm.ts):\n  ${relative(rootDir, outputPath)}`,
    );
  }
  console.log('generate-keccak-wasm: up to date');
} else {
  if (!existsSync(outputPath) || readFileSync(outputPath, 'utf8') !== formatted) {
    writeFileSync(outputPath, formatted);
  }
  console.log(`generate-keccak-wasm: wrote ${relative(rootDir, outputPath)} (${wasm.length} bytes of wasm)`);
}
