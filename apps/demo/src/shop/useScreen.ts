import { useCapture } from '@factoredui/react';
import { useEffect } from 'react';

/** Records a `navigation` to `path` when a screen mounts (and the title of the tab). */
export function useScreen(path: string, title: string): void {
  const capture = useCapture();
  useEffect(() => {
    capture.trackNavigation(path);
    document.title = `${title} · Factored Goods`;
  }, [capture, path, title]);
}
