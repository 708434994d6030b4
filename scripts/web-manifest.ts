// The web app manifest: what a phone's "Add to home screen" installs. The
// app opens on the dashboard, without the browser's bars.
export interface WebManifest {
  name: string;
  short_name: string;
  description: string;
  id: string;
  start_url: string;
  scope: string;
  display: 'standalone';
  background_color: string;
  theme_color: string;
  icons: Array<{ src: string; sizes: string; type: string; purpose?: 'maskable' }>;
}

export function webManifest(): WebManifest {
  return {
    name: 'Callroom',
    short_name: 'Callroom',
    description: 'Video calls and chat in rooms you own.',
    id: '/',
    start_url: '/dashboard',
    scope: '/',
    display: 'standalone',
    background_color: '#f6f8fa',
    theme_color: '#2f7de1',
    icons: [
      { src: '/assets/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      { src: '/assets/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/assets/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/assets/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
}
