// How the profile readers name a stack frame, whatever folder the profile
// was taken in: `nm:<package>/…` for dependencies, `src/…` for ours.
export const shortUrl = (url) => url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:').replace(/.*\/src\//, 'src/');

/** `function file:line`; `gap` separates the two. */
export const frameLabel = ({ functionName, url, lineNumber }, gap = ' ') => `${functionName || '(anonymous)'}${gap}${shortUrl(url)}:${lineNumber + 1}`;
