/**
 * A small, slow, test-only Argon2id (version 0x13) written from RFC 9106, with the secret K and associated
 * data X inputs that hash-wasm lacks. It exists to run the RFC 9106 section 5.3 vector and then to check that
 * hash-wasm (the production Argon2id) agrees with it on inputs without K and X. Never used by the app.
 */
import { createBLAKE2b } from "hash-wasm";

const MASK64 = (1n << 64n) - 1n;
const MASK32 = (1n << 32n) - 1n;
const BLOCK_WORDS = 128;
const SYNC_POINTS = 4;

function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

async function blake2b(outLength: number, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const h = await createBLAKE2b(outLength * 8);
  h.init();
  for (const p of parts) h.update(p);
  return h.digest("binary");
}

/** H' of RFC 9106 section 3.3: variable-length hash built from BLAKE2b. */
async function hPrime(outLength: number, input: Uint8Array): Promise<Uint8Array> {
  if (outLength <= 64) return blake2b(outLength, le32(outLength), input);
  const r = Math.ceil(outLength / 32) - 2;
  const out = new Uint8Array(outLength);
  let v = await blake2b(64, le32(outLength), input);
  out.set(v.subarray(0, 32), 0);
  for (let i = 1; i < r; i++) {
    v = await blake2b(64, v);
    out.set(v.subarray(0, 32), i * 32);
  }
  v = await blake2b(outLength - 32 * r, v);
  out.set(v, r * 32);
  return out;
}

function rotr(x: bigint, n: bigint): bigint {
  return ((x >> n) | (x << (64n - n))) & MASK64;
}

function gb(v: bigint[], a: number, b: number, c: number, d: number): void {
  const fb = (x: bigint, y: bigint) => (x + y + 2n * (x & MASK32) * (y & MASK32)) & MASK64;
  v[a] = fb(v[a]!, v[b]!);
  v[d] = rotr(v[d]! ^ v[a]!, 32n);
  v[c] = fb(v[c]!, v[d]!);
  v[b] = rotr(v[b]! ^ v[c]!, 24n);
  v[a] = fb(v[a]!, v[b]!);
  v[d] = rotr(v[d]! ^ v[a]!, 16n);
  v[c] = fb(v[c]!, v[d]!);
  v[b] = rotr(v[b]! ^ v[c]!, 63n);
}

/** The permutation P on 16 words given by their indices into the block. */
function permute(block: bigint[], idx: number[]): void {
  const v = idx.map((i) => block[i]!);
  gb(v, 0, 4, 8, 12);
  gb(v, 1, 5, 9, 13);
  gb(v, 2, 6, 10, 14);
  gb(v, 3, 7, 11, 15);
  gb(v, 0, 5, 10, 15);
  gb(v, 1, 6, 11, 12);
  gb(v, 2, 7, 8, 13);
  gb(v, 3, 4, 9, 14);
  idx.forEach((i, k) => (block[i] = v[k]!));
}

/** G(X, Y) of RFC 9106 section 3.5: R = X xor Y, P on rows then columns, result Z xor R. */
function compress(x: bigint[], y: bigint[]): bigint[] {
  const r = x.map((w, i) => w ^ y[i]!);
  const z = r.slice();
  for (let i = 0; i < 8; i++) permute(z, Array.from({ length: 16 }, (_, k) => 16 * i + k));
  for (let i = 0; i < 8; i++) permute(z, Array.from({ length: 8 }, (_, j) => [16 * j + 2 * i, 16 * j + 2 * i + 1]).flat());
  return z.map((w, i) => w ^ r[i]!);
}

function toWords(bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: BLOCK_WORDS }, (_, i) => view.getBigUint64(i * 8, true));
}

function toBytes(words: bigint[]): Uint8Array {
  const out = new Uint8Array(words.length * 8);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setBigUint64(i * 8, w, true));
  return out;
}

export async function argon2idReference(p: { password: Uint8Array; salt: Uint8Array; secret?: Uint8Array; ad?: Uint8Array; memoryKiB: number; iterations: number; parallelism: number; length: number }): Promise<Uint8Array> {
  const secret = p.secret ?? new Uint8Array(0);
  const ad = p.ad ?? new Uint8Array(0);
  const lanes = p.parallelism;
  const segment = Math.floor(Math.max(p.memoryKiB, 2 * SYNC_POINTS * lanes) / (lanes * SYNC_POINTS));
  const laneLength = segment * SYNC_POINTS;
  const blocks = laneLength * lanes;
  const h0 = await blake2b(64, le32(lanes), le32(p.length), le32(p.memoryKiB), le32(p.iterations), le32(0x13), le32(2), le32(p.password.length), p.password, le32(p.salt.length), p.salt, le32(secret.length), secret, le32(ad.length), ad);
  const mem: bigint[][] = new Array(blocks);
  for (let l = 0; l < lanes; l++) {
    for (const i of [0, 1]) mem[l * laneLength + i] = toWords(await hPrime(1024, new Uint8Array([...h0, ...le32(i), ...le32(l)])));
  }
  const zero = new Array<bigint>(BLOCK_WORDS).fill(0n);
  for (let pass = 0; pass < p.iterations; pass++) {
    for (let slice = 0; slice < SYNC_POINTS; slice++) {
      for (let lane = 0; lane < lanes; lane++) {
        const independent = pass === 0 && slice < SYNC_POINTS / 2;
        const input = new Array<bigint>(BLOCK_WORDS).fill(0n);
        [pass, lane, slice, blocks, p.iterations, 2].forEach((x, i) => (input[i] = BigInt(x)));
        let addresses: bigint[] = zero;
        const nextAddresses = () => {
          input[6] = input[6]! + 1n;
          addresses = compress(zero, compress(zero, input));
        };
        const start = pass === 0 && slice === 0 ? 2 : 0;
        if (independent && start === 2) nextAddresses();
        for (let i = start; i < segment; i++) {
          const cur = lane * laneLength + slice * segment + i;
          const prev = cur % laneLength === 0 ? cur + laneLength - 1 : cur - 1;
          if (independent && i % BLOCK_WORDS === 0) nextAddresses();
          const rand = independent ? addresses[i % BLOCK_WORDS]! : mem[prev]![0]!;
          const refLane = pass === 0 && slice === 0 ? lane : Number((rand >> 32n) % BigInt(lanes));
          const same = refLane === lane;
          let area: number;
          if (pass === 0) area = slice === 0 ? i - 1 : same ? slice * segment + i - 1 : slice * segment + (i === 0 ? -1 : 0);
          else area = same ? laneLength - segment + i - 1 : laneLength - segment + (i === 0 ? -1 : 0);
          const j1 = rand & MASK32;
          const x = (j1 * j1) >> 32n;
          const rel = BigInt(area) - 1n - ((BigInt(area) * x) >> 32n);
          const startPos = pass === 0 || slice === SYNC_POINTS - 1 ? 0 : (slice + 1) * segment;
          const refIndex = Number((BigInt(startPos) + rel) % BigInt(laneLength));
          const next = compress(mem[prev]!, mem[refLane * laneLength + refIndex]!);
          mem[cur] = pass === 0 ? next : next.map((w, k) => w ^ mem[cur]![k]!);
        }
      }
    }
  }
  let c = mem[laneLength - 1]!;
  for (let l = 1; l < lanes; l++) c = c.map((w, k) => w ^ mem[l * laneLength + laneLength - 1]![k]!);
  return hPrime(p.length, toBytes(c));
}
