import { api } from '../api/trpc-client';
import { runWithToast } from '../ui/toast-action';
import type { ThemePreference } from './theme';
import { setThemePreference, themeStore, useTheme } from './theme';

const CHOICES: [ThemePreference, string][] = [
  ['system', 'Match the system'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/** The Theme setting: applies at once, saved through `settings.update` (undone if that fails). */
export function ThemeChoice() {
  const preference = useTheme((s) => s.preference);
  const choose = (next: ThemePreference) => {
    const previous = themeStore.getState().preference;
    setThemePreference(next);
    void runWithToast(async () => {
      try {
        await api.settings.update.mutate({ theme: next });
      } catch (error) {
        setThemePreference(previous);
        throw error;
      }
    }, 'Theme saved.');
  };
  return (
    <fieldset className="radio-group">
      <legend>Theme</legend>
      {CHOICES.map(([value, label]) => (
        <label key={value}>
          <input
            type="radio"
            name="theme"
            value={value}
            checked={preference === value}
            onChange={() => choose(value)}
          />{' '}
          {label}
        </label>
      ))}
    </fieldset>
  );
}
