/**
 * Where the tiles go: the grid that shows `count` tiles of one aspect ratio
 * as large as a box allows, so no video is cropped or stretched. Pure, so it
 * is unit tested with the sizes of real screens.
 */
export interface GridLayout {
  columns: number;
  rows: number;
  /** Each tile's size in CSS pixels; every tile has the aspect asked for. */
  tileWidth: number;
  tileHeight: number;
}

/**
 * The column count whose tiles are largest. `aspect` is width / height (16 / 9
 * for a camera); `gap` is the space between tiles, in pixels.
 */
export function bestGrid(width: number, height: number, count: number, aspect: number, gap = 8): GridLayout {
  let best: GridLayout = { columns: 1, rows: Math.max(1, count), tileWidth: 0, tileHeight: 0 };
  if (count <= 0 || width <= 0 || height <= 0) return best;
  for (let columns = 1; columns <= count; columns += 1) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    if (cellWidth <= 0 || cellHeight <= 0) continue;
    const tileWidth = Math.min(cellWidth, cellHeight * aspect);
    const tileHeight = tileWidth / aspect;
    if (tileWidth * tileHeight > best.tileWidth * best.tileHeight) {
      best = { columns, rows, tileWidth: Math.floor(tileWidth), tileHeight: Math.floor(tileHeight) };
    }
  }
  return best;
}
