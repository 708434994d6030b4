/**
 * DOM helpers. Text always goes in through `textContent`: the page's CSP
 * enforces Trusted Types, so an `innerHTML` assignment would throw anyway.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

export function must<T extends Element>(selector: string, root: ParentNode = document): T {
  const node = root.querySelector<T>(selector);
  if (!node) throw new Error(`missing element ${selector}`);
  return node;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
}

/** Shows a short message in the page's `[data-toast]` region for a few seconds. */
export function toast(text: string): void {
  const region = document.querySelector<HTMLElement>('[data-toast]');
  if (!region) return;
  region.textContent = text;
  region.classList.add('visible');
  window.setTimeout(() => region.classList.remove('visible'), 4000);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
