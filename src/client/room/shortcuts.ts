/**
 * Keyboard shortcuts for the call (M, V, C, P, H, ?), listed in a dialog.
 * Plain letters, as in Jitsi: they are ignored while typing in a field and
 * with any modifier held, so they never take a key from the browser or a form.
 */
export type ShortcutAction = 'mic' | 'camera' | 'chat' | 'people' | 'hand' | 'help';

const KEYS: Record<string, ShortcutAction> = { m: 'mic', v: 'camera', c: 'chat', p: 'people', h: 'hand', '?': 'help' };

export function installShortcuts(run: (action: ShortcutAction) => void): void {
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog[open]')) return;
    const action = KEYS[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    run(action);
  });
}
