import { stylesheet } from '@factoredui/sdui-react';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = {
  title: 'FactoredUI · Next.js example',
  description: 'Server-rendered flags and signed server-driven UI with FactoredUI.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        {/* The SDUI stylesheet, served with the HTML: the promo renders styled on first paint. */}
        <style>{stylesheet}</style>
      </head>
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem auto', maxWidth: 720 }}>
        {children}
      </body>
    </html>
  );
}
