import { closeOverlay } from '../shell/ui-store';
import { Dialog } from '../ui/dialog';

export const SHORTCUTS: [string, string][] = [
  ['Ctrl+S', 'Save (a new version)'],
  ['Ctrl+Enter', 'Dry-run…'],
  ['Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y)', 'Undo / redo'],
  ['Ctrl+C / Ctrl+V', 'Copy / paste the selected steps'],
  ['Ctrl+D', 'Duplicate the selected steps'],
  ['Delete or Backspace', 'Delete the selected steps or connections'],
  ['Tab / Shift+Tab', 'Move focus between steps on the canvas'],
  ['Enter or Space on a step', 'Select it (the inspector shows its form)'],
  ['Arrow keys on a selected step', 'Move it'],
  ['Shift+click, Ctrl+click, Shift+drag', 'Select several steps'],
  ['Shift+1', 'Zoom to fit'],
  ['Shift+L', 'Auto-layout, left to right'],
  ['Ctrl+K', 'Search the palette'],
  ['Enter in the palette search', 'Add the first match after the selected step'],
  ['? (Shift+/)', 'This help'],
  ['Escape', 'Close a dialog or a suggestion list'],
];

export function HelpDialog() {
  return (
    <Dialog title="Help and keyboard shortcuts" onClose={closeOverlay}>
      <p>
        Build a workflow from the palette (drag a step onto the canvas, or click it to add it after
        the selected step), connect output ports to inputs, fill each step in the inspector, then
        press <strong>Run</strong> to dry-run it on this machine with sample input.
      </p>
      <p>
        Text fields accept <code>{'{{ expression }}'}</code> templates (JSONata) over{' '}
        <code>trigger</code>, <code>steps.&lt;id&gt;</code>, <code>env</code>, <code>item</code> and{' '}
        <code>error</code>; type inside <code>{'{{ }}'}</code> for suggestions from the last run or
        pinned samples.
      </p>
      <table className="shortcuts">
        <caption>Keyboard shortcuts</caption>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map(([keys, action]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
