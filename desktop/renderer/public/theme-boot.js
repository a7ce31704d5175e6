/* global window, document */
// Runs in <head> before the stylesheet paints anything, so the first frame already has the
// chosen theme (CSP allows only scripts from 'self', hence a file and not an inline script).
// It mirrors applyTheme() in src/shell/theme.ts, which takes over once the app has loaded and
// keeps the stored choice in step with the `theme` setting.
(function () {
  var preference = null;
  try {
    preference = window.localStorage.getItem('maestro.theme');
  } catch {
    // Storage disabled: follow the system until the settings arrive.
  }
  var dark =
    preference === 'dark' ||
    (preference !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
})();
