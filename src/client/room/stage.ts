/**
 * The stage: every tile at the size the space allows without cropping (see
 * layout.ts), or one tile in the spotlight (pinned, or a screen being
 * shared) with the others in a strip beside or under it. My own tile can be
 * hidden; others still see me.
 */
import { bestGrid } from './layout.ts';
import { Tile, type TileActions, type TileState } from './tile.ts';

/** Cameras are asked for in 16:9 (rtc/media.ts); a tile of another shape letterboxes. */
const TILE_ASPECT = 16 / 9;
/** Space between tiles, in pixels (the stylesheet's --gap). */
const GAP = 8;
const HIDE_SELF_KEY = 'callroom:hide-self';

export class Stage {
  private readonly tiles = new Map<string, Tile>();
  private readonly stage: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly spotlight: HTMLElement;
  private readonly actions: TileActions;
  private pinned: string | null = null;
  private hideSelf: boolean;
  private layoutFrame = 0;
  /** Called after the tiles changed (count, spotlight), e.g. to show the "waiting for others" card. */
  onChange: () => void = () => undefined;

  constructor(elements: { stage: HTMLElement; grid: HTMLElement; spotlight: HTMLElement }, actions: Omit<TileActions, 'pin'>) {
    this.stage = elements.stage;
    this.grid = elements.grid;
    this.spotlight = elements.spotlight;
    this.actions = { ...actions, pin: (id) => this.pin(this.pinned === id ? null : id) };
    this.hideSelf = localStorage.getItem(HIDE_SELF_KEY) === '1';
    new ResizeObserver(() => this.layout()).observe(this.stage);
  }

  get selfHidden(): boolean {
    return this.hideSelf;
  }

  tile(id: string): Tile | undefined {
    return this.tiles.get(id);
  }

  /** Tiles of other people (and their screens). */
  get remoteCount(): number {
    return [...this.tiles.values()].filter((tile) => tile.element.dataset.self !== 'true').length;
  }

  upsert(state: TileState): void {
    const tile = this.tiles.get(state.id);
    if (tile) {
      tile.update(state);
      return;
    }
    const created = new Tile(state, this.actions);
    this.tiles.set(state.id, created);
    // Me and screens first, then the others in the order they came.
    if (state.self || state.kind === 'screen') this.grid.prepend(created.element);
    else this.grid.append(created.element);
    this.scheduleLayout();
  }

  remove(id: string): void {
    this.tiles.get(id)?.remove();
    this.tiles.delete(id);
    if (this.pinned === id) this.pinned = null;
    this.scheduleLayout();
  }

  clearRemote(): void {
    for (const [id, tile] of this.tiles) if (tile.element.dataset.self !== 'true') this.remove(id);
  }

  /** Puts a tile in the spotlight (null: back to the grid, or to a shared screen if there is one). */
  pin(id: string | null): void {
    this.pinned = id !== null && this.tiles.has(id) ? id : null;
    this.scheduleLayout();
  }

  setHideSelf(hidden: boolean): void {
    this.hideSelf = hidden;
    try {
      localStorage.setItem(HIDE_SELF_KEY, hidden ? '1' : '0');
    } catch {
      // Not remembered; still applied.
    }
    this.scheduleLayout();
  }

  /**
   * Lays the tiles out at the next frame: several changes in one event (a
   * peer joining adds a tile and a screen) cost one layout, and no handler
   * waits for the page's layout (a joiner's first offer goes out sooner).
   */
  scheduleLayout(): void {
    if (this.layoutFrame !== 0) return;
    this.layoutFrame = requestAnimationFrame(() => {
      this.layoutFrame = 0;
      this.layout();
    });
  }

  /** Places every tile for the stage's current size. */
  layout(): void {
    const visible = [...this.tiles.values()].filter((tile) => !(this.hideSelf && tile.element.dataset.self === 'true' && tile.element.dataset.kind === 'camera'));
    for (const tile of this.tiles.values()) tile.element.hidden = !visible.includes(tile);
    const focus = this.focused(visible);
    for (const tile of this.tiles.values()) tile.setPinned(tile === focus && focus.id === this.pinned);
    const { width, height } = this.stage.getBoundingClientRect();
    const padding = 2 * GAP;
    if (focus && visible.length > 1) {
      this.spotlight.hidden = false;
      if (focus.element.parentElement !== this.spotlight) this.spotlight.append(focus.element);
      for (const tile of visible) if (tile !== focus && tile.element.parentElement !== this.grid) this.grid.append(tile.element);
      // The strip goes beside the spotlight on a wide stage, under it on a tall one.
      const beside = width > height * 1.2;
      this.stage.dataset.layout = beside ? 'spotlight-beside' : 'spotlight-below';
      const stripWidth = beside ? Math.max(160, width * 0.22) : width - padding;
      const stripHeight = beside ? height - padding : Math.max(90, height * 0.24);
      this.size(this.grid, bestGrid(stripWidth, stripHeight, visible.length - 1, TILE_ASPECT, GAP));
      const mainWidth = beside ? width - stripWidth - 3 * GAP : width - padding;
      const mainHeight = beside ? height - padding : height - stripHeight - 3 * GAP;
      this.size(this.spotlight, bestGrid(mainWidth, mainHeight, 1, TILE_ASPECT, GAP));
    } else {
      this.spotlight.hidden = true;
      for (const tile of this.spotlight.querySelectorAll<HTMLElement>('.tile')) this.grid.prepend(tile);
      this.stage.dataset.layout = 'grid';
      this.size(this.grid, bestGrid(width - padding, height - padding, visible.length, TILE_ASPECT, GAP));
    }
    this.stage.dataset.tiles = String(visible.length);
    this.onChange();
  }

  /** The pinned tile; else the newest screen being shared. */
  private focused(visible: Tile[]): Tile | undefined {
    const pinned = this.pinned === null ? undefined : this.tiles.get(this.pinned);
    if (pinned && visible.includes(pinned)) return pinned;
    return visible.filter((tile) => tile.element.dataset.kind === 'screen').at(-1);
  }

  private size(container: HTMLElement, layout: { tileWidth: number; tileHeight: number }): void {
    container.style.setProperty('--tile-w', `${layout.tileWidth}px`);
    container.style.setProperty('--tile-h', `${layout.tileHeight}px`);
  }
}
