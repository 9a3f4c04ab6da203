import { useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'echoscope.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function storedTheme(): ThemeChoice {
  const value = window.localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

function resolve(choice: ThemeChoice): Theme {
  if (choice !== 'system') return choice;
  return window.matchMedia(DARK_QUERY).matches ? 'dark' : 'light';
}

/** The theme choice (following the OS by default), applied as `data-theme` on <html> for the CSS. */
export function useTheme(): { choice: ThemeChoice; theme: Theme; setChoice(choice: ThemeChoice): void } {
  const [choice, setChoiceState] = useState<ThemeChoice>(storedTheme);
  const [theme, setTheme] = useState<Theme>(() => resolve(choice));
  useEffect(() => {
    const media = window.matchMedia(DARK_QUERY);
    const apply = () => {
      const next = resolve(choice);
      document.documentElement.dataset.theme = next;
      setTheme(next);
    };
    apply();
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [choice]);
  return {
    choice,
    theme,
    setChoice(next) {
      if (next === 'system') window.localStorage.removeItem(STORAGE_KEY);
      else window.localStorage.setItem(STORAGE_KEY, next);
      setChoiceState(next);
    },
  };
}
