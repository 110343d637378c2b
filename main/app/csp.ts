/**
 * The one Content-Security-Policy for the renderer, sent by the Electron session and by the
 * browser-mode host, and mirrored in renderer/index.html's meta tag (minus frame-ancestors, which a
 * meta tag cannot carry). blob: is for charts saved as PNG and files the page builds for download. No remote origins, no eval,
 * no inline scripts; inline styles only because React sets style attributes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
