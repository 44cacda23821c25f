import { useEffect, useRef } from 'react';
import { SHORTCUTS } from '../player/shortcuts.ts';

/** The "Keyboard shortcuts" dialog, opened with "?" or the bar's keyboard button; Esc closes it. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} className="player-dialog" aria-labelledby="shortcuts-heading" onClose={onClose}>
      <div className="player-dialog-content">
        <h2 id="shortcuts-heading">Keyboard shortcuts</h2>
        <table className="shortcut-table">
          <caption className="visually-hidden">Keys of the player, except while typing in a field</caption>
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((shortcut) => (
              <tr key={shortcut.action}>
                <td>
                  {shortcut.keys.map((key, i) => (
                    <span key={key}>
                      {i > 0 && <span className="muted"> or </span>}
                      <kbd>{key}</kbd>
                    </span>
                  ))}
                </td>
                <td>{shortcut.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Shortcuts wait while you type in a field.</p>
        <form method="dialog">
          <button type="submit" className="secondary">
            Close
          </button>
        </form>
      </div>
    </dialog>
  );
}
