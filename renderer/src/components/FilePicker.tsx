import { useRef, useState, type DragEvent, type ReactNode } from 'react';

interface Props {
  accept: string;
  label: string;
  hint: ReactNode;
  busy?: boolean;
  onFile(file: File): void;
  testId?: string;
}

/** A file picker that is also a drop zone: keyboard users press the button, others may drag the file in. */
export function FilePicker({ accept, label, hint, busy = false, onFile, testId }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  };
  return (
    <div
      className={`drop-zone ${over ? 'over' : ''}`}
      data-testid={testId}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <button type="button" onClick={() => input.current?.click()} disabled={busy}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept={accept}
        className="visually-hidden"
        tabIndex={-1}
        aria-label={label}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) onFile(file);
          event.target.value = '';
        }}
      />
      <span className="muted">{hint}</span>
    </div>
  );
}
