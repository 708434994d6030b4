/** A QR code of a link, as an SVG built with DOM calls (the CSP's Trusted Types allow no HTML strings). */
import { encode } from 'uqr';
import { must } from './dom.ts';
import { t } from './i18n.ts';

export function qrCode(text: string, label: string): SVGSVGElement {
  const { data, size } = encode(text, { ecc: 'M', border: 2 });
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(ns, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  // One path of unit squares: a few hundred elements would be heavier to lay out.
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) d += `M${x} ${y}h1v1h-1z`;
  }));
  const modules = document.createElementNS(ns, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}

/** Shows the page's QR dialog (`[data-qr]`, in the page's HTML) for a room's link. */
export function showQrDialog(roomName: string, link: string): void {
  const title = t('dashboard.qrTitle', { room: roomName });
  must<HTMLElement>('[data-qr-title]').textContent = title;
  must<HTMLElement>('[data-qr-code]').replaceChildren(qrCode(link, title));
  must<HTMLElement>('[data-qr-link]').textContent = link;
  must<HTMLDialogElement>('[data-qr]').showModal();
}
