import { inflateSync } from 'node:zlib';

/**
 * How much a PNG varies: the standard deviation of its decompressed image bytes and how many
 * distinct values they take. A blank or single-colour screenshot has next to none of either.
 * (Scanline filter bytes are included: they only add a little of their own.)
 */
export function pngVariance(png: Buffer): { stddev: number; distinct: number; width: number; height: number } {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  let sum = 0;
  let sq = 0;
  const seen = new Set<number>();
  for (const b of raw) {
    sum += b;
    sq += b * b;
    seen.add(b);
  }
  const mean = sum / raw.length;
  return { stddev: Math.sqrt(sq / raw.length - mean * mean), distinct: seen.size, width, height };
}
