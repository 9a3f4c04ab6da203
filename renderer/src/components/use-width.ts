import { useLayoutEffect, useState, type RefObject } from 'react';

/**
 * An element's width, kept up to date (charts get a concrete size on the first render).
 * With a `known` width (measured earlier, e.g. while the view was loading) the first render uses
 * it and nothing forces a layout mid-render; the ResizeObserver corrects it if it was off.
 */
export function useWidth(ref: RefObject<HTMLElement | null>, known = 0): number {
  const [width, setWidth] = useState(known);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    if (known <= 0) setWidth(Math.floor(element.getBoundingClientRect().width));
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
    // `known` only seeds the first render: not a dependency.
  }, [ref]);
  return width;
}
