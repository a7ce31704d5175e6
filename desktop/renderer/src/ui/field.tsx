import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

/** What a field's control carries so that assistive technology reads its hint and errors with it. */
export interface FieldControl {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

export interface FieldFrame {
  /** The control's id; the hint and the errors take ids made from it. */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  /** One message or the validator's list; null or empty when the value is fine. */
  errors?: string | readonly string[] | null;
  /** Added to `field` on the wrapper (`field-inline`). */
  className?: string;
  /** The document path a config field edits: where tests and the canvas find it. */
  dataField?: string;
}

type ControlAttributes = 'id' | 'className' | 'aria-describedby' | 'aria-invalid';

const messagesOf = (errors: FieldFrame['errors']): readonly string[] =>
  errors == null ? [] : typeof errors === 'string' ? [errors] : errors;

/** A field component's props: those of the frame, and the rest for its control. */
function splitFrame<T extends FieldFrame>({
  id,
  label,
  hint,
  errors,
  className,
  dataField,
  ...control
}: T) {
  return [{ id, label, hint, errors, className, dataField }, control] as const;
}

/**
 * A label, its control, a hint and the errors, laid out alike everywhere. The control
 * (given by `children`) gets the id the label points at, is described by the hint and
 * the errors, and is marked invalid while there are errors.
 */
export function Field({
  children,
  ...frame
}: FieldFrame & { children: (control: FieldControl) => ReactNode }) {
  const { id, label, hint, errors, className, dataField } = frame;
  const messages = messagesOf(errors);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorsId = messages.length > 0 ? `${id}-issues` : undefined;
  const describedBy = [hintId, errorsId].filter(Boolean).join(' ') || undefined;
  return (
    <div
      className={['field', className, errorsId && 'has-issues'].filter(Boolean).join(' ')}
      data-field={dataField}
    >
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        'aria-describedby': describedBy,
        'aria-invalid': errorsId ? true : undefined,
      })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {errorsId && (
        <ul id={errorsId} className="field-issues" data-testid="field-issues">
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A labelled `<input>`; `inputClassName` adds to `input` (`mono`, `input-number`). */
export function TextField({
  inputClassName,
  ...props
}: FieldFrame & { inputClassName?: string } & Omit<
    InputHTMLAttributes<HTMLInputElement>,
    ControlAttributes
  >) {
  const [frame, input] = splitFrame(props);
  return (
    <Field {...frame}>
      {(control) => (
        <input
          className={inputClassName ? `input ${inputClassName}` : 'input'}
          {...input}
          {...control}
        />
      )}
    </Field>
  );
}

/** A labelled `<select>`; its options are the children. */
export function SelectField(
  props: FieldFrame & Omit<SelectHTMLAttributes<HTMLSelectElement>, ControlAttributes>,
) {
  const [frame, select] = splitFrame(props);
  return (
    <Field {...frame}>{(control) => <select className="input" {...select} {...control} />}</Field>
  );
}
