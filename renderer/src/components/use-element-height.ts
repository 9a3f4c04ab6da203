import { useEffect, useState, type RefObject } from 'react';

/** Height available to a virtualized list: from its container's top to the window's bottom. */
export function useAvailableHeight(ref: RefObject<HTMLElement | null>, min = 240, bottomMargin = 24): number {
  const [height, setHeight] = useState(min);
  useEffect(() => {
    const measure = () => {
      const top = ref.current?.getBoundingClientRect().top ?? 0;
      setHeight(Math.max(min, Math.floor(window.innerHeight - top - bottomMargin)));
    };
    measure();
    window.addEventListener('resize', measure);
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => {
      window.removeEventListener('resize', measure);
      observer.disconnect();
    };
  }, [ref, min, bottomMargin]);
  return height;
}
