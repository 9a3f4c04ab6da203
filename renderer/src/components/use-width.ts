import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * An element's width, kept up to date (charts get a concrete size on the first render).
 * With a `known` width (measured earlier, e.g. while the view was loading) the first render uses
 * it and nothing forces a layout mid-render; the ResizeObserver corrects it if it was off.
 */
export function useWidth(ref: RefObject<HTMLElement | null>, known = 0): number {
  const [width, setWidth] = useState(known);
  // `known` only seeds the first render, so it is read once and is not an effect dependency.
  const seeded = useRef(known > 0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    if (!seeded.current) setWidth(Math.floor(element.getBoundingClientRect().width));
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
