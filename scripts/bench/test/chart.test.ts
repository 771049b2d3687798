import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { renderChart, SERIES_COLORS } from '../src/chart';
import type { ChartSpec, Rgb } from '../src/chart';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
  readonly crc: number;
}

interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly bytesPerPixel: number;
  /** Inflated IDAT stream: per row, one filter byte followed by the pixels. */
  readonly raw: Buffer;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function readChunks(png: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    chunks.push({ type, data, crc: png.readUInt32BE(offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

function decode(png: Buffer): DecodedImage {
  const chunks = readChunks(png);
  const header = chunks.find((chunk) => chunk.type === 'IHDR')!.data;
  const colorType = header.readUInt8(9);
  const idat = Buffer.concat(chunks.filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.data));
  return {
    width: header.readUInt32BE(0),
    height: header.readUInt32BE(4),
    bytesPerPixel: colorType === 6 ? 4 : 3,
    raw: zlib.inflateSync(idat),
  };
}

function pixelAt(image: DecodedImage, x: number, y: number): Rgb {
  const i = y * (1 + image.width * image.bytesPerPixel) + 1 + x * image.bytesPerPixel;
  return [image.raw[i]!, image.raw[i + 1]!, image.raw[i + 2]!];
}

function countPixels(image: DecodedImage, [r, g, b]: Rgb): number {
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [pr, pg, pb] = pixelAt(image, x, y);
      if (pr === r && pg === g && pb === b) count++;
    }
  }
  return count;
}

const WRITERS = [1, 4, 16, 64, 256];

const benchmarkSpec: ChartSpec = {
  title: 'Write throughput vs concurrent writers',
  xLabel: 'concurrent writers',
  yLabel: 'writes / second',
  xLog: true,
  series: [
    { name: 'walraft embedded', points: WRITERS.map((x, i) => [x, [1850, 6400, 14800, 21300, 24900][i]!]) },
    { name: 'dqlite', points: WRITERS.map((x, i) => [x, [620, 2100, 5200, 8900, 10400][i]!]) },
    { name: 'raw SQLite (synchronous=FULL)', points: WRITERS.map((x, i) => [x, [152, 160, 158, 155, 149][i]!]) },
  ],
};

describe('renderChart', () => {
  let tmpDir: string;

  beforeAll(() => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'walraft-chart-'));
  });

  afterAll(() => {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('produces a well-formed PNG with the requested size', () => {
    const png = renderChart({ ...benchmarkSpec, width: 640, height: 400 });

    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const chunks = readChunks(png);
    expect(chunks[0]?.type).toBe('IHDR');
    expect(chunks.at(-1)?.type).toBe('IEND');
    expect(chunks.at(-1)?.data.length).toBe(0);
    expect(chunks.some((chunk) => chunk.type === 'IDAT')).toBe(true);
    for (const chunk of chunks) {
      expect(chunk.crc).toBe(crc32(Buffer.concat([Buffer.from(chunk.type, 'latin1'), chunk.data])));
    }

    const header = chunks[0]!.data;
    expect(header.readUInt32BE(0)).toBe(640);
    expect(header.readUInt32BE(4)).toBe(400);
    expect(header.readUInt8(8)).toBe(8); // bit depth

    const image = decode(png);
    expect(image.raw.length).toBe(image.height * (1 + image.width * image.bytesPerPixel));
    for (let y = 0; y < image.height; y++) {
      expect(image.raw[y * (1 + image.width * image.bytesPerPixel)]).toBe(0); // filter type None
    }
  });

  it('defaults to 900×540', () => {
    const image = decode(renderChart(benchmarkSpec));
    expect([image.width, image.height]).toEqual([900, 540]);
  });

  it('paints a white background', () => {
    const image = decode(renderChart(benchmarkSpec));
    expect(pixelAt(image, 0, 0)).toEqual([255, 255, 255]);
    expect(pixelAt(image, image.width - 1, image.height - 1)).toEqual([255, 255, 255]);
  });

  it('draws every series in its own colour', () => {
    const image = decode(renderChart(benchmarkSpec));
    benchmarkSpec.series.forEach((_, index) => {
      expect(countPixels(image, SERIES_COLORS[index]!)).toBeGreaterThan(100);
    });
    expect(countPixels(image, SERIES_COLORS[3]!)).toBe(0);
  });

  it('has at least six distinct palette colours', () => {
    const distinct = new Set(SERIES_COLORS.map((color) => color.join(',')));
    expect(distinct.size).toBeGreaterThanOrEqual(6);
    expect(distinct.size).toBe(SERIES_COLORS.length);
  });

  it('renders axes and text when there are no series', () => {
    const png = renderChart({ title: 'Nothing yet', xLabel: 'writers', yLabel: 'ops/s', series: [], xLog: true });
    const image = decode(png);
    expect(image.raw.length).toBe(image.height * (1 + image.width * image.bytesPerPixel));
    expect(pixelAt(image, 0, 0)).toEqual([255, 255, 255]);
    for (const color of SERIES_COLORS) expect(countPixels(image, color)).toBe(0);
    const nonWhite = image.width * image.height - countPixels(image, [255, 255, 255]);
    expect(nonWhite).toBeGreaterThan(1000);
  });

  it('handles single points, disjoint x sets, zeros, huge values and empty series', () => {
    const spec: ChartSpec = {
      title: 'Edge cases',
      xLabel: 'payload bytes',
      yLabel: 'latency (us)',
      series: [
        { name: 'single point', points: [[120, 400_000]] },
        {
          name: 'zeros',
          points: [
            [0, 0],
            [50, 0],
            [300, 0],
          ],
        },
        {
          name: 'huge',
          points: [
            [10, 1e6],
            [250, 999_999],
          ],
        },
        { name: 'no points', points: [] },
      ],
    };
    const image = decode(renderChart(spec));
    for (const index of [0, 1, 2]) expect(countPixels(image, SERIES_COLORS[index]!)).toBeGreaterThan(20);
  });

  it('ignores points a log axis cannot show', () => {
    const png = renderChart({
      ...benchmarkSpec,
      series: [
        {
          name: 'mixed',
          points: [
            [0, 5],
            [-4, 7],
            [Number.NaN, 1],
            [8, 10],
          ],
        },
      ],
    });
    expect(countPixels(decode(png), SERIES_COLORS[0]!)).toBeGreaterThan(20);
  });

  it('rejects unusable sizes', () => {
    expect(() => renderChart({ ...benchmarkSpec, width: 10 })).toThrow(RangeError);
    expect(() => renderChart({ ...benchmarkSpec, height: 300.5 })).toThrow(RangeError);
  });

  it('writes a PNG file that can be read back', () => {
    const file = path.join(tmpDir, 'throughput.png');
    fs.writeFileSync(file, renderChart(benchmarkSpec));
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(decode(bytes).width).toBe(900);
  });
});
