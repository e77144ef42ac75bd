/** @type {import('next').NextConfig} */
const nextConfig = {
  // A static export: nginx serves it in production, the backend under `npm start`.
  output: 'export',
  // /status/ -> status/index.html, which any static server resolves without rewrites.
  trailingSlash: true,
  poweredByHeader: false,
  reactStrictMode: true,
  images: { unoptimized: true },
};

export default nextConfig;
