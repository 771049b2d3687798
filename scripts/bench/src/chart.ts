/**
 * Dependency-free PNG line-chart renderer for benchmark results.
 *
 * Everything is rasterized here into an RGB pixel buffer — a small embedded bitmap font, Bresenham lines with a
 * square brush, filled-disc markers — and then encoded as a PNG (8-bit truecolour, filter type 0, one IDAT chunk
 * compressed with zlib).
 */
import { deflateSync } from 'node:zlib';

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Logarithmic x axis with a tick at every distinct x value of the data (e.g. writer counts 1, 4, 16, 64, 256). */
  readonly xLog?: boolean;
  /** Image width in pixels (default 900). */
  readonly width?: number;
  /** Image height in pixels (default 540). */
  readonly height?: number;
}

/** An sRGB colour as [red, green, blue], each 0–255. */
export type Rgb = readonly [number, number, number];

/**
 * Series colours, assigned in order and reused cyclically: the Tableau 10 palette minus its grey (which would read
 * as a grid line) and olive (too close to the orange/green pair at line thickness).
 */
export const SERIES_COLORS: readonly Rgb[] = [
  [31, 119, 180], // blue
  [255, 127, 14], // orange
  [44, 160, 44], // green
  [214, 39, 40], // red
  [148, 103, 189], // purple
  [140, 86, 75], // brown
  [227, 119, 194], // pink
  [23, 190, 207], // cyan
];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [33, 33, 33];
const AXIS: Rgb = [90, 90, 90];
const GRID: Rgb = [226, 226, 226];
const LEGEND_BORDER: Rgb = [190, 190, 190];
const MUTED: Rgb = [140, 140, 140];

const DEFAULT_WIDTH = 900;
const DEFAULT_HEIGHT = 540;
const MIN_WIDTH = 320;
const MIN_HEIGHT = 240;
const MAX_SIDE = 8192;

// ---------------------------------------------------------------------------------------------------------------
// Bitmap font
// ---------------------------------------------------------------------------------------------------------------

const GLYPH_WIDTH = 5;
const GLYPH_HEIGHT = 7;
const FIRST_GLYPH_CODE = 32;

/**
 * 5×7 font for ASCII 32–126 (index = character code − 32). Each glyph is seven rows, top to bottom, in hex; bit 4 is
 * the leftmost pixel, so '0e' is `.###.`. Descenders (g j p q y , ;) have an eighth row below the baseline.
 */
const FONT_5X7: readonly string[] = [
  '00 00 00 00 00 00 00', //
  '04 04 04 04 04 00 04', // !
  '0a 0a 0a 00 00 00 00', // "
  '0a 0a 1f 0a 1f 0a 0a', // #
  '04 0f 14 0e 05 1e 04', // $
  '18 19 02 04 08 13 03', // %
  '0c 12 14 08 15 12 0d', // &
  '0c 04 08 00 00 00 00', // '
  '02 04 08 08 08 04 02', // (
  '08 04 02 02 02 04 08', // )
  '00 0a 04 1f 04 0a 00', // *
  '00 04 04 1f 04 04 00', // +
  '00 00 00 00 00 0c 04 08', // ,
  '00 00 00 1f 00 00 00', // -
  '00 00 00 00 00 0c 0c', // .
  '00 01 02 04 08 10 00', // /
  '0e 11 13 15 19 11 0e', // 0
  '04 0c 04 04 04 04 0e', // 1
  '0e 11 01 02 04 08 1f', // 2
  '1f 02 04 02 01 11 0e', // 3
  '02 06 0a 12 1f 02 02', // 4
  '1f 10 1e 01 01 11 0e', // 5
  '06 08 10 1e 11 11 0e', // 6
  '1f 01 02 04 08 08 08', // 7
  '0e 11 11 0e 11 11 0e', // 8
  '0e 11 11 0f 01 02 0c', // 9
  '00 0c 0c 00 0c 0c 00', // :
  '00 00 0c 0c 00 0c 04 08', // ;
  '01 02 04 08 04 02 01', // <
  '00 00 1f 00 1f 00 00', // =
  '10 08 04 02 04 08 10', // >
  '0e 11 01 02 04 00 04', // ?
  '0e 11 01 0d 15 15 0e', // @
  '0e 11 11 11 1f 11 11', // A
  '1e 11 11 1e 11 11 1e', // B
  '0e 11 10 10 10 11 0e', // C
  '1c 12 11 11 11 12 1c', // D
  '1f 10 10 1e 10 10 1f', // E
  '1f 10 10 1c 10 10 10', // F
  '0e 11 10 10 13 11 0e', // G
  '11 11 11 1f 11 11 11', // H
  '0e 04 04 04 04 04 0e', // I
  '07 02 02 02 02 12 0c', // J
  '11 12 14 18 14 12 11', // K
  '10 10 10 10 10 10 1f', // L
  '11 1b 15 11 11 11 11', // M
  '11 11 19 15 13 11 11', // N
  '0e 11 11 11 11 11 0e', // O
  '1e 11 11 1e 10 10 10', // P
  '0e 11 11 11 15 12 0d', // Q
  '1e 11 11 1e 14 12 11', // R
  '0f 10 10 0e 01 01 1e', // S
  '1f 04 04 04 04 04 04', // T
  '11 11 11 11 11 11 0e', // U
  '11 11 11 11 11 0a 04', // V
  '11 11 11 15 15 1b 11', // W
  '11 11 0a 04 0a 11 11', // X
  '11 11 0a 04 04 04 04', // Y
  '1f 01 02 04 08 10 1f', // Z
  '07 04 04 04 04 04 07', // [
  '00 10 08 04 02 01 00', // \
  '1c 04 04 04 04 04 1c', // ]
  '04 0a 11 00 00 00 00', // ^
  '00 00 00 00 00 00 1f', // _
  '08 04 02 00 00 00 00', // `
  '00 00 0e 01 0f 11 0f', // a
  '10 10 16 19 11 11 1e', // b
  '00 00 0e 10 10 11 0e', // c
  '01 01 0d 13 11 11 0f', // d
  '00 00 0e 11 1f 10 0e', // e
  '06 09 08 1c 08 08 08', // f
  '00 00 0f 11 11 0f 01 0e', // g
  '10 10 16 19 11 11 11', // h
  '04 00 0c 04 04 04 0e', // i
  '02 00 06 02 02 02 12 0c', // j
  '08 08 09 0a 0c 0a 09', // k
  '0c 04 04 04 04 04 0e', // l
  '00 00 1a 15 15 11 11', // m
  '00 00 16 19 11 11 11', // n
  '00 00 0e 11 11 11 0e', // o
  '00 00 1e 11 11 1e 10 10', // p
  '00 00 0f 11 11 0f 01 01', // q
  '00 00 16 19 10 10 10', // r
  '00 00 0e 10 0e 01 1e', // s
  '08 08 1c 08 08 09 06', // t
  '00 00 11 11 11 13 0d', // u
  '00 00 11 11 11 0a 04', // v
  '00 00 11 11 15 15 0a', // w
  '00 00 11 0a 04 0a 11', // x
  '00 00 11 11 11 0f 01 0e', // y
  '00 00 1f 02 04 08 1f', // z
  '02 04 04 08 04 04 02', // {
  '04 04 04 04 04 04 04', // |
  '08 04 04 02 04 04 08', // }
  '00 00 00 0d 12 00 00', // ~
];

const GLYPHS: readonly (readonly number[])[] = FONT_5X7.map((rows) => rows.split(' ').map((hex) => parseInt(hex, 16)));
const FALLBACK_GLYPH = GLYPHS['?'.charCodeAt(0) - FIRST_GLYPH_CODE] ?? [];

function glyphFor(char: string): readonly number[] {
  const code = char.codePointAt(0) ?? 0;
  return GLYPHS[code - FIRST_GLYPH_CODE] ?? FALLBACK_GLYPH;
}

/** Width in pixels of `text` drawn at `scale`, without the trailing inter-glyph gap. */
function textWidth(text: string, scale: number): number {
  const chars = Array.from(text).length;
  return chars === 0 ? 0 : (chars * (GLYPH_WIDTH + 1) - 1) * scale;
}

/** Returns `text`, or its longest prefix plus "..." that fits in `maxWidth` pixels. */
function fitText(text: string, scale: number, maxWidth: number): string {
  if (textWidth(text, scale) <= maxWidth) return text;
  const fitting = Math.floor((maxWidth / scale + 1) / (GLYPH_WIDTH + 1));
  return (
    Array.from(text)
      .slice(0, Math.max(0, fitting - 3))
      .join('') + '...'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Raster canvas
// ---------------------------------------------------------------------------------------------------------------

class Canvas {
  /** Row-major RGB bytes, 3 per pixel. */
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  setPixel(x: number, y: number, [r, g, b]: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.pixels[i] = r;
    this.pixels[i + 1] = g;
    this.pixels[i + 2] = b;
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) this.setPixel(px, py, color);
    }
  }

  strokeRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    this.fillRect(x, y, w, 1, color);
    this.fillRect(x, y + h - 1, w, 1, color);
    this.fillRect(x, y, 1, h, color);
    this.fillRect(x + w - 1, y, 1, h, color);
  }

  /** Bresenham line stamped with a square brush, so diagonals stay as thick as horizontals (no anti-aliasing). */
  line(x0: number, y0: number, x1: number, y1: number, thickness: number, color: Rgb): void {
    const offset = Math.floor((thickness - 1) / 2);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    let x = x0;
    let y = y0;
    for (;;) {
      this.fillRect(x - offset, y - offset, thickness, thickness, color);
      if (x === x1 && y === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  disc(cx: number, cy: number, radius: number, color: Rgb): void {
    // r² + r rather than r² gives a rounder outline for small integer radii
    const limit = radius * radius + radius;
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        if (dx * dx + dy * dy <= limit) this.setPixel(cx + dx, cy + dy, color);
      }
    }
  }

  /** Draws `text` with its top-left corner at (x, y); each font pixel becomes a scale×scale block. */
  text(x: number, y: number, text: string, scale: number, color: Rgb): void {
    let penX = Math.round(x);
    const top = Math.round(y);
    for (const char of text) {
      glyphFor(char).forEach((bits, row) => {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (bits & (1 << (GLYPH_WIDTH - 1 - col))) {
            this.fillRect(penX + col * scale, top + row * scale, scale, scale, color);
          }
        }
      });
      penX += (GLYPH_WIDTH + 1) * scale;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Axis scales
// ---------------------------------------------------------------------------------------------------------------

interface Scale {
  readonly ticks: readonly number[];
  /** Position of a data value along the axis: 0 at the start of the domain, 1 at its end. */
  readonly fraction: (value: number) => number;
}

/** The 1/2/5 × 10^k step closest above span / targetTicks. */
function niceStep(span: number, targetTicks: number): number {
  const raw = span / Math.max(1, targetTicks);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  const factor = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
  return factor * magnitude;
}

/** Rounds away binary noise such as 0.30000000000000004 to the precision implied by the step. */
function roundToStep(value: number, step: number): number {
  const decimals = Math.min(100, Math.max(0, -Math.floor(Math.log10(step))));
  return Number(value.toFixed(decimals));
}

/** A linear scale whose domain is [lo, hi] widened outwards to whole multiples of a nice step. */
function linearScale(lo: number, hi: number, targetTicks: number): Scale {
  const step = niceStep(hi - lo, targetTicks);
  // the epsilon keeps values that are already multiples (up to float error) from gaining an extra step
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const min = first * step;
  const max = last * step;
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(roundToStep(i * step, step));
  return { ticks, fraction: (value) => (value - min) / (max - min) };
}

/** The y scale starts at 0 (or below, for negative data) and leaves a little headroom above the largest value. */
function yScale(values: readonly number[], targetTicks: number): Scale {
  const lo = values.reduce((min, value) => Math.min(min, value), 0);
  let hi = values.reduce((max, value) => Math.max(max, value), 0);
  if (hi === lo) hi = lo + 1;
  else if (hi > 0) hi += (hi - lo) * 0.06;
  return linearScale(lo, hi, targetTicks);
}

function linearXScale(values: readonly number[], targetTicks: number): Scale {
  let lo = values.reduce((min, value) => Math.min(min, value), Infinity);
  let hi = values.reduce((max, value) => Math.max(max, value), -Infinity);
  if (values.length === 0) [lo, hi] = [0, 1];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  return linearScale(lo, hi, targetTicks);
}

// beyond this many distinct x values a tick per value would be a solid wall of grid lines
const MAX_LOG_TICKS = 24;

function logXScale(values: readonly number[]): Scale {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length === 0) distinct.push(1, 10);
  let lo = Math.log10(distinct[0] ?? 1);
  let hi = Math.log10(distinct[distinct.length - 1] ?? 10);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const ticks = distinct.length <= MAX_LOG_TICKS ? distinct : decadeTicks(lo, hi, distinct);
  return { ticks, fraction: (value) => (Math.log10(value) - lo) / (hi - lo) };
}

function decadeTicks(lo: number, hi: number, distinct: readonly number[]): number[] {
  const ticks: number[] = [];
  for (let k = Math.ceil(lo); k <= Math.floor(hi); k++) ticks.push(10 ** k);
  return ticks.length >= 2 ? ticks : [distinct[0] ?? 1, distinct[distinct.length - 1] ?? 10];
}

/** Formats a number with thousands separators and at most six decimals, trailing zeros dropped: 12500 → "12,500". */
function formatNumber(value: number): string {
  const [whole = '0', fraction] = Math.abs(value)
    .toFixed(6)
    .replace(/\.?0+$/, '')
    .split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && (whole !== '0' || fraction !== undefined) ? '-' : '';
  return sign + grouped + (fraction === undefined ? '' : `.${fraction}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------------------------

const TEXT_SCALE = 2;
const TITLE_SCALE = 3;
const LARGE_TITLE_MIN_WIDTH = 600;
const LINE_HEIGHT = GLYPH_HEIGHT * TEXT_SCALE;
const MARGIN = 16;
const TICK_LENGTH = 5;
const TICK_LABEL_GAP = 6;
/** Horizontal inset of the x domain inside the plot, so the first and last markers clear the frame. */
const PLOT_INSET = 14;
const LINE_THICKNESS = 3;
const MARKER_RADIUS = 4;
/** Rough pixel spacing the nice-tick search aims for on linear axes. */
const Y_TICK_SPACING = 60;
const X_TICK_SPACING = 110;
const MIN_X_LABEL_GAP = 12;

interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** Vertical positions of the title, axis labels and plot area; they do not depend on the data. */
interface VerticalLayout {
  readonly titleScale: number;
  readonly titleTop: number;
  readonly yLabelTop: number;
  readonly plotTop: number;
  readonly plotBottom: number;
  readonly xTickLabelTop: number;
  readonly xLabelTop: number;
}

function verticalLayout(width: number, height: number, title: string): VerticalLayout {
  const largeTitle = width >= LARGE_TITLE_MIN_WIDTH && textWidth(title, TITLE_SCALE) <= width - 2 * MARGIN;
  const titleScale = largeTitle ? TITLE_SCALE : TEXT_SCALE;
  const titleTop = MARGIN;
  const yLabelTop = titleTop + GLYPH_HEIGHT * titleScale + 14;
  const xLabelTop = height - MARGIN - LINE_HEIGHT;
  const xTickLabelTop = xLabelTop - 12 - LINE_HEIGHT;
  return {
    titleScale,
    titleTop,
    yLabelTop,
    plotTop: yLabelTop + LINE_HEIGHT + 20, // room for the y label's descenders and the top tick label
    plotBottom: xTickLabelTop - TICK_LABEL_GAP - TICK_LENGTH,
    xTickLabelTop,
    xLabelTop,
  };
}

/** The plot's left edge leaves room for the widest y tick label; the right edge for half the last x tick label. */
function plotRect(width: number, vertical: VerticalLayout, yTickLabels: readonly string[], x: Scale): Rect {
  const yTickLabelWidth = Math.max(0, ...yTickLabels.map((label) => textWidth(label, TEXT_SCALE)));
  const lastXTick = x.ticks[x.ticks.length - 1];
  const lastXLabelWidth = lastXTick === undefined ? 0 : textWidth(formatNumber(lastXTick), TEXT_SCALE);
  return {
    left: MARGIN + yTickLabelWidth + TICK_LABEL_GAP + TICK_LENGTH,
    top: vertical.plotTop,
    right: width - Math.max(MARGIN + 8, Math.ceil(lastXLabelWidth / 2) - PLOT_INSET + MARGIN),
    bottom: vertical.plotBottom,
  };
}

/** Converts data coordinates to pixel coordinates inside the plot area. */
class Projection {
  constructor(
    private readonly plot: Rect,
    private readonly x: Scale,
    private readonly y: Scale,
  ) {}

  px(value: number): number {
    const span = this.plot.right - this.plot.left - 2 * PLOT_INSET;
    return Math.round(this.plot.left + PLOT_INSET + this.x.fraction(value) * span);
  }

  py(value: number): number {
    return Math.round(this.plot.bottom - this.y.fraction(value) * (this.plot.bottom - this.plot.top));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Chart drawing
// ---------------------------------------------------------------------------------------------------------------

type Point = readonly [number, number];

/** The points that can be plotted, sorted by x: finite, and with x > 0 on a log axis. */
function drawablePoints(series: ChartSeries, xLog: boolean): Point[] {
  return series.points
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0))
    .sort((a, b) => a[0] - b[0]);
}

function seriesColor(index: number): Rgb {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? INK;
}

function drawGridAndAxes(canvas: Canvas, plot: Rect, proj: Projection, x: Scale, y: Scale): void {
  const plotWidth = plot.right - plot.left;
  const plotHeight = plot.bottom - plot.top;
  for (const tick of y.ticks) canvas.fillRect(plot.left, proj.py(tick), plotWidth, 1, GRID);
  for (const tick of x.ticks) canvas.fillRect(proj.px(tick), plot.top, 1, plotHeight, GRID);
  // 2 px axis lines along the left and bottom edges, with tick marks pointing outwards
  canvas.fillRect(plot.left - 1, plot.top, 2, plotHeight + 1, AXIS);
  canvas.fillRect(plot.left - 1, plot.bottom - 1, plotWidth + 1, 2, AXIS);
  for (const tick of y.ticks) canvas.fillRect(plot.left - 1 - TICK_LENGTH, proj.py(tick), TICK_LENGTH, 1, AXIS);
  for (const tick of x.ticks) canvas.fillRect(proj.px(tick), plot.bottom + 1, 1, TICK_LENGTH, AXIS);
}

function drawYTickLabels(canvas: Canvas, plot: Rect, proj: Projection, y: Scale): void {
  for (const tick of y.ticks) {
    const label = formatNumber(tick);
    const left = plot.left - 1 - TICK_LENGTH - TICK_LABEL_GAP - textWidth(label, TEXT_SCALE);
    canvas.text(left, proj.py(tick) - Math.floor(LINE_HEIGHT / 2), label, TEXT_SCALE, INK);
  }
}

/** Centres each label under its tick, skipping any that would collide with the previous one. */
function drawXTickLabels(canvas: Canvas, top: number, proj: Projection, x: Scale): void {
  let previousRight = -Infinity;
  for (const tick of x.ticks) {
    const label = formatNumber(tick);
    const width = textWidth(label, TEXT_SCALE);
    const left = proj.px(tick) - Math.floor(width / 2);
    if (left < previousRight + MIN_X_LABEL_GAP) continue;
    canvas.text(left, top, label, TEXT_SCALE, INK);
    previousRight = left + width;
  }
}

function drawSeries(canvas: Canvas, proj: Projection, points: readonly Point[], color: Rgb): void {
  const pixels = points.map(([x, y]) => [proj.px(x), proj.py(y)] as const);
  for (let i = 1; i < pixels.length; i++) {
    const from = pixels[i - 1];
    const to = pixels[i];
    if (from && to) canvas.line(from[0], from[1], to[0], to[1], LINE_THICKNESS, color);
  }
  for (const [px, py] of pixels) canvas.disc(px, py, MARKER_RADIUS, color);
}

/** Legend box in the top-left corner of the plot: one row per series with a line-and-marker swatch and its name. */
function drawLegend(canvas: Canvas, plot: Rect, seriesNames: readonly string[]): void {
  if (seriesNames.length === 0) return;
  const padding = 10;
  const rowGap = 8;
  const swatchWidth = 28;
  const chromeWidth = padding + swatchWidth + 8 + padding;
  const maxNameWidth = plot.right - plot.left - 2 * PLOT_INSET - chromeWidth;
  const names = seriesNames.map((name) => fitText(name, TEXT_SCALE, maxNameWidth));
  const width = chromeWidth + Math.max(...names.map((name) => textWidth(name, TEXT_SCALE)));
  const height = 2 * padding + names.length * LINE_HEIGHT + (names.length - 1) * rowGap;
  const left = plot.left + PLOT_INSET;
  const top = plot.top + 10;
  canvas.fillRect(left, top, width, height, WHITE);
  canvas.strokeRect(left, top, width, height, LEGEND_BORDER);
  names.forEach((name, index) => {
    const rowTop = top + padding + index * (LINE_HEIGHT + rowGap);
    const midY = rowTop + Math.floor(LINE_HEIGHT / 2);
    const color = seriesColor(index);
    canvas.line(left + padding, midY, left + padding + swatchWidth, midY, LINE_THICKNESS, color);
    canvas.disc(left + padding + swatchWidth / 2, midY, MARKER_RADIUS, color);
    canvas.text(left + padding + swatchWidth + 8, rowTop, name, TEXT_SCALE, INK);
  });
}

function drawCentredText(canvas: Canvas, centreX: number, top: number, text: string, scale: number, color: Rgb): void {
  canvas.text(centreX - Math.floor(textWidth(text, scale) / 2), top, text, scale, color);
}

function checkSize(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value > MAX_SIDE) {
    throw new RangeError(`chart ${name} must be an integer between ${min} and ${MAX_SIDE}, got ${value}`);
  }
  return value;
}

/** Renders a line chart and returns the bytes of a PNG file. */
export function renderChart(spec: ChartSpec): Buffer {
  const width = checkSize('width', spec.width ?? DEFAULT_WIDTH, MIN_WIDTH);
  const height = checkSize('height', spec.height ?? DEFAULT_HEIGHT, MIN_HEIGHT);
  const xLog = spec.xLog ?? false;
  const seriesPoints = spec.series.map((series) => drawablePoints(series, xLog));
  const allPoints = seriesPoints.flat();

  const vertical = verticalLayout(width, height, spec.title);
  const yValues = allPoints.map(([, value]) => value);
  const yTargetTicks = Math.max(2, Math.floor((vertical.plotBottom - vertical.plotTop) / Y_TICK_SPACING));
  const y = yScale(yValues, yTargetTicks);
  const xValues = allPoints.map(([x]) => x);
  const x = xLog ? logXScale(xValues) : linearXScale(xValues, Math.max(2, Math.floor(width / X_TICK_SPACING)));
  const plot = plotRect(width, vertical, y.ticks.map(formatNumber), x);
  const proj = new Projection(plot, x, y);
  const plotCentreX = (plot.left + plot.right) / 2;
  const fullWidth = width - 2 * MARGIN;

  const seriesNames = spec.series.map((series) => series.name);

  const canvas = new Canvas(width, height);
  drawGridAndAxes(canvas, plot, proj, x, y);
  seriesPoints.forEach((points, index) => {
    drawSeries(canvas, proj, points, seriesColor(index));
  });
  drawLegend(canvas, plot, seriesNames);
  drawYTickLabels(canvas, plot, proj, y);
  drawXTickLabels(canvas, vertical.xTickLabelTop, proj, x);

  const title = fitText(spec.title, vertical.titleScale, fullWidth);
  drawCentredText(canvas, width / 2, vertical.titleTop, title, vertical.titleScale, INK);
  canvas.text(MARGIN, vertical.yLabelTop, fitText(spec.yLabel, TEXT_SCALE, fullWidth), TEXT_SCALE, INK);
  const xLabel = fitText(spec.xLabel, TEXT_SCALE, fullWidth);
  drawCentredText(canvas, plotCentreX, vertical.xLabelTop, xLabel, TEXT_SCALE, INK);
  if (allPoints.length === 0) {
    const top = (plot.top + plot.bottom - LINE_HEIGHT) / 2;
    drawCentredText(canvas, plotCentreX, top, 'no data', TEXT_SCALE, MUTED);
  }
  return encodePng(canvas);
}

// ---------------------------------------------------------------------------------------------------------------
// PNG encoding
// ---------------------------------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BIT_DEPTH = 8;
const COLOR_TYPE_RGB = 2;

function encodePng(canvas: Canvas): Buffer {
  const header = Buffer.alloc(13); // compression, filter and interlace methods stay 0
  header.writeUInt32BE(canvas.width, 0);
  header.writeUInt32BE(canvas.height, 4);
  header.writeUInt8(BIT_DEPTH, 8);
  header.writeUInt8(COLOR_TYPE_RGB, 9);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(scanlines(canvas))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Each row is prefixed with its filter-type byte; 0 (None) is already there from Buffer.alloc. */
function scanlines(canvas: Canvas): Buffer {
  const rowBytes = canvas.width * 3;
  const out = Buffer.alloc(canvas.height * (rowBytes + 1));
  for (let y = 0; y < canvas.height; y++) {
    out.set(canvas.pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  }
  return out;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(4 + typeAndData.length + 4);
  chunk.writeUInt32BE(data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 4 + typeAndData.length);
  return chunk;
}

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 (ISO 3309 / ITU-T V.42), as PNG requires over each chunk's type and data. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
