/** One line of a chart; `y` may be Infinity (drawn at the top edge as "∞") or NaN (skipped). */
export interface ChartSeries {
  label: string;
  color: string;
  /** Dashed line (e.g. for a variant of another series). */
  dashed?: boolean;
  points: { x: number; y: number }[];
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** A horizontal reference line (e.g. a latency budget). */
  reference?: { y: number; label: string };
}

const PANEL_WIDTH = 460;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 62, right: 16, top: 34, bottom: 46 };
const LEGEND_ROW = 18;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function formatMs(value: number): string {
  return value >= 1000 ? `${value / 1000} s` : `${value} ms`;
}

/** Draws one panel at `offsetX` with a logarithmic y axis; returns SVG elements. */
function drawPanel(panel: ChartPanel, offsetX: number): string[] {
  const out: string[] = [];
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const xs = [...new Set(panel.series.flatMap((series) => series.points.map((point) => point.x)))].sort((a, b) => a - b);
  const finiteYs = panel.series.flatMap((series) => series.points.map((point) => point.y)).filter((y) => Number.isFinite(y) && y > 0);
  if (panel.reference) finiteYs.push(panel.reference.y);
  const minDecade = Math.floor(Math.log10(Math.max(0.1, Math.min(...finiteYs, 1))));
  const maxDecade = Math.max(minDecade + 1, Math.ceil(Math.log10(Math.max(...finiteYs, 10) * 1.2)));
  const xMax = Math.max(...xs, 1);
  const x = (value: number) => offsetX + MARGIN.left + (value / xMax) * plotWidth;
  const y = (value: number) => {
    const clamped = Number.isFinite(value) ? Math.min(Math.max(value, 10 ** minDecade), 10 ** maxDecade) : 10 ** maxDecade;
    return MARGIN.top + plotHeight - ((Math.log10(clamped) - minDecade) / (maxDecade - minDecade)) * plotHeight;
  };

  out.push(`<text x="${offsetX + PANEL_WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(panel.title)}</text>`);
  out.push(`<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`);
  for (let decade = minDecade; decade <= maxDecade; decade++) {
    const value = 10 ** decade;
    const top = y(value);
    out.push(`<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + plotWidth}" y1="${top}" y2="${top}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${offsetX + MARGIN.left - 6}" y="${top + 4}" text-anchor="end" font-size="11">${formatMs(value)}</text>`);
  }
  for (const value of xs) {
    out.push(`<line x1="${x(value)}" x2="${x(value)}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight + 4}" stroke="#999"/>`);
    out.push(`<text x="${x(value)}" y="${MARGIN.top + plotHeight + 17}" text-anchor="middle" font-size="11">${value}</text>`);
  }
  out.push(`<text x="${offsetX + MARGIN.left + plotWidth / 2}" y="${PANEL_HEIGHT - 8}" text-anchor="middle" font-size="12">${escapeXml(panel.xLabel)}</text>`);
  out.push(
    `<text transform="translate(${offsetX + 14} ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(panel.yLabel)}</text>`,
  );
  if (panel.reference) {
    const top = y(panel.reference.y);
    out.push(`<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + plotWidth}" y1="${top}" y2="${top}" stroke="#c00" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${offsetX + MARGIN.left + plotWidth - 4}" y="${top - 4}" text-anchor="end" font-size="10" fill="#c00">${escapeXml(panel.reference.label)}</text>`);
  }
  for (const series of panel.series) {
    const points = series.points.filter((point) => !Number.isNaN(point.y)).sort((a, b) => a.x - b.x);
    if (points.length === 0) continue;
    const path = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
    for (const point of points) {
      const cx = x(point.x).toFixed(1);
      const cy = y(point.y).toFixed(1);
      if (Number.isFinite(point.y)) out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${series.color}"><title>${escapeXml(`${series.label}: ${point.x} → ${point.y} ms`)}</title></circle>`);
      else out.push(`<text x="${cx}" y="${Number(cy) + 4}" text-anchor="middle" font-size="13" fill="${series.color}">∞<title>${escapeXml(`${series.label}: ${point.x} → deliveries missing`)}</title></text>`);
    }
  }
  return out;
}

/** A self-contained SVG with the panels side by side and one shared legend below. */
export function renderChart(panels: ChartPanel[], caption: string): string {
  const legend = new Map<string, ChartSeries>();
  for (const panel of panels) for (const series of panel.series) legend.set(series.label, series);
  const width = PANEL_WIDTH * panels.length;
  const legendRows = Math.ceil(legend.size / 2);
  const height = PANEL_HEIGHT + legendRows * LEGEND_ROW + 34;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  panels.forEach((panel, index) => out.push(...drawPanel(panel, index * PANEL_WIDTH)));
  [...legend.values()].forEach((series, index) => {
    const left = 70 + (index % 2) * (width / 2);
    const top = PANEL_HEIGHT + 8 + Math.floor(index / 2) * LEGEND_ROW;
    out.push(`<line x1="${left}" x2="${left + 24}" y1="${top}" y2="${top}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
    out.push(`<text x="${left + 30}" y="${top + 4}" font-size="12">${escapeXml(series.label)}</text>`);
  });
  out.push(`<text x="${width / 2}" y="${height - 10}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(caption)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
