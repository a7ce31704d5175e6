/**
 * The colour theme: the `theme` setting (system, light or dark) resolved to the palette on
 * screen. `data-theme` on <html> picks the palette in app.css (and `color-scheme`, so form
 * controls and scrollbars follow); with `system` it tracks `prefers-color-scheme` live.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { RouterOutputs } from '../api/trpc-client';

export type ThemePreference = RouterOutputs['settings']['get']['theme'];
export type ColorMode = 'light' | 'dark';

// public/theme-boot.js reads this key before first paint: the settings live in the main
// process and arrive only after the app has loaded.
const STORAGE_KEY = 'maestro.theme';
const PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];
const darkScheme = window.matchMedia('(prefers-color-scheme: dark)');

function isPreference(value: unknown): value is ThemePreference {
  return PREFERENCES.includes(value as ThemePreference);
}

function storedPreference(): ThemePreference {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isPreference(value) ? value : 'system';
  } catch {
    return 'system';
  }
}

function resolve(preference: ThemePreference): ColorMode {
  if (preference !== 'system') return preference;
  return darkScheme.matches ? 'dark' : 'light';
}

interface ThemeState {
  preference: ThemePreference;
  colorMode: ColorMode;
}

const initial = storedPreference();
export const themeStore = createStore<ThemeState>()(() => ({
  preference: initial,
  colorMode: resolve(initial),
}));

function applyTheme({ colorMode }: ThemeState): void {
  document.documentElement.setAttribute('data-theme', colorMode);
}
applyTheme(themeStore.getState());
themeStore.subscribe(applyTheme);

darkScheme.addEventListener('change', () =>
  themeStore.setState(({ preference }) => ({ colorMode: resolve(preference) })),
);
// Another window of the app changed the theme.
window.addEventListener('storage', (event) => {
  if (event.key === STORAGE_KEY) setThemePreference(storedPreference());
});

/** Shows `preference` at once and remembers it for the next start's first paint. */
export function setThemePreference(preference: ThemePreference): void {
  try {
    localStorage.setItem(STORAGE_KEY, preference);
  } catch {
    // Storage disabled: the theme still applies, from the settings, after each start.
  }
  themeStore.setState({ preference, colorMode: resolve(preference) });
}

export function useTheme<T>(selector: (state: ThemeState) => T): T {
  return useStore(themeStore, selector);
}
