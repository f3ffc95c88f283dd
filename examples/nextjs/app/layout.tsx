import type { ReactNode } from 'react';

export const metadata = { title: 'cvkit demo', description: 'Classify, detect and segment an image with cvkit' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem auto', maxWidth: 960, padding: '0 1rem', color: '#111' }}>{children}</body>
    </html>
  );
}
