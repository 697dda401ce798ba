import { Dimensions } from 'react-native';

/**
 * Whether a box measured in window coordinates (`measureInWindow`) overlaps the window. A
 * box without area (not laid out yet, collapsed, `display: none`) is not visible.
 */
export function intersectsWindow(x: number, y: number, width: number, height: number): boolean {
  if (![x, y, width, height].every(Number.isFinite) || width <= 0 || height <= 0) return false;
  const window = Dimensions.get('window');
  return x < window.width && x + width > 0 && y < window.height && y + height > 0;
}
