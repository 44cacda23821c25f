import { useId, useRef, useState } from 'react';

/**
 * A read-only value with a Copy button: the clipboard when the browser allows it, else the text
 * is selected for the person to copy themselves.
 */
export function CopyField({
  label,
  value,
  multiline,
}: {
  label: string;
  value: string;
  multiline?: boolean;
}) {
  const id = useId();
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setStatus('Copied.');
    } catch {
      field.current?.select();
      setStatus('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        {multiline ? (
          <textarea id={id} ref={field} readOnly value={value} rows={3} onFocus={(e) => e.target.select()} />
        ) : (
          <input id={id} ref={field} readOnly value={value} onFocus={(e) => e.target.select()} />
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => void copy()}
          aria-label={`Copy ${label.toLowerCase()}`}
        >
          Copy
        </button>
      </div>
      <span className="muted small" role="status" aria-live="polite">
        {status}
      </span>
    </div>
  );
}
